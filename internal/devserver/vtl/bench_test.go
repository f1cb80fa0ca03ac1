package vtl

import "testing"

// BenchmarkPhotoTemplate: the photo album response template on its
// example payload, parsed once (as the runner does at load time).
func BenchmarkPhotoTemplate(b *testing.B) {
	tm, err := Parse(`#set($inputRoot = $input.path('$'))
{"photos": [
#foreach($elem in $inputRoot.photos.photo)
  {"id": "$elem.id", "photographedBy": "$elem.photographer_first_name $elem.photographer_last_name", "title": "$elem.title",
   "ispublic": $elem.ispublic, "isfriend": $elem.isfriend, "isfamily": $elem.isfamily}#if($foreach.hasNext),#end
#end
]}`)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(photosInput)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Execute(Vars(&Input{Body: body}, nil, nil)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirectUploadTemplate: DirectUpload's 200 response template.
func BenchmarkDirectUploadTemplate(b *testing.B) {
	tm, _ := Parse(`{"key":"incoming/direct/$input.params('name')"}`)
	in := &Input{Path: MapOf(map[string]string{"name": "a.bin"})}
	b.ReportAllocs()
	for b.Loop() {
		tm.Execute(Vars(in, nil, nil))
	}
}
