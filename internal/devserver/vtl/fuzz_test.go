package vtl

import (
	"testing"
	"time"
)

// FuzzTemplate: parsing and running any template ends, without a panic,
// in an output or an error.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		`#set($inputRoot = $input.path('$')){"a": [#foreach($e in $inputRoot.photos.photo)"$e.id"#if($foreach.hasNext),#end#end]}`,
		`#if($input.params('a') == "b" && !$x || 1 < 2)$util.escapeJavaScript($input.body)#elseif(true)#{else}x#end`,
		`${a.b[0].c("d", 'e', [1..3], {"k": 1.5})}$!a #* c *# ## d` + "\n#[[raw]]#",
		`#set($context.responseOverride.header.X-A = $input.json('$.a["b"][0]'))#foreach($i in [3..1])#break#end`,
		`\$a \#if $util.base64Decode($util.base64Encode("x")) $util.parseJson('{"a":[1]}').a.get(0)`,
	} {
		f.Add(s, []byte(`{"photos":{"photo":[{"id":"1"},{"id":"2"}]},"a":{"b":[1]}}`))
	}
	f.Fuzz(func(t *testing.T, src string, body []byte) {
		tm, err := Parse(src)
		if err != nil {
			return
		}
		tm.Check()
		start := time.Now()
		ctx := NewMap()
		ctx.Put("responseOverride", NewMap())
		tm.Execute(Vars(&Input{Body: body, Header: MapOf(map[string]string{"Origin": "o"})}, ctx, nil))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
}
