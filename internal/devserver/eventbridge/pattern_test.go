package eventbridge

import (
	"strings"
	"testing"
)

// The patterns and events below are AWS's documented examples, from
// "Content filtering in Amazon EventBridge event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html),
// "Comparison operators for use in event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
// and "Amazon EventBridge event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html),
// each with events that must match and events that must not.

// ec2Event is the EC2 state-change event of the event patterns page.
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

func TestMatchDocumentedExamples(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		match   []string
		noMatch []string
	}{
		{"event patterns page: source, detail-type and a detail field", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`,
			[]string{ec2Event}, []string{strings.Replace(ec2Event, `"terminated"`, `"running"`, 1), strings.Replace(ec2Event, `"aws.ec2"`, `"aws.s3"`, 1)}},
		{"event patterns page: arrays match when they intersect", `{"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`,
			[]string{ec2Event, `{"resources":["arn:other","arn:aws:ec2:us-west-1:123456789012:instance/i-b188560f"]}`}, []string{`{"resources":["arn:other"]}`, `{"resources":[]}`}},
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`,
			[]string{`{"time":"2017-10-02T18:43:48Z"}`}, []string{`{"time":"2017-10-03T18:43:48Z"}`, `{"time":20171002}`, `{}`}},
		{"prefix, ignoring case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`,
			[]string{`{"detail":{"service":"EventBridge"}}`, `{"detail":{"service":"EVENTB"}}`, `{"detail":{"service":"eventbus"}}`}, []string{`{"detail":{"service":"Events"}}`}},
		{"suffix", `{"FileName":[{"suffix":".png"}]}`,
			[]string{`{"FileName":"image.png"}`}, []string{`{"FileName":"image.PNG"}`, `{"FileName":"image.png.txt"}`}},
		{"suffix, ignoring case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`,
			[]string{`{"detail":{"FileName":"a.png"}}`, `{"detail":{"FileName":"a.PNG"}}`}, []string{`{"detail":{"FileName":"a.jpg"}}`}},
		{"anything-but a string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`,
			[]string{`{"detail":{"state":"running"}}`}, []string{`{"detail":{"state":"initializing"}}`, `{"detail":{}}`, `{"detail":{"state":5}}`}},
		{"anything-but a number", `{"detail":{"x-limit":[{"anything-but":123}]}}`,
			[]string{`{"detail":{"x-limit":124}}`}, []string{`{"detail":{"x-limit":123}}`, `{"detail":{"x-limit":123.0}}`, `{"detail":{"x-limit":"124"}}`}},
		{"anything-but a list of strings", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`,
			[]string{`{"detail":{"state":"running"}}`}, []string{`{"detail":{"state":"stopped"}}`, `{"detail":{"state":"overloaded"}}`}},
		{"anything-but a list of numbers", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`,
			[]string{`{"detail":{"x-limit":150}}`}, []string{`{"detail":{"x-limit":200}}`, `{"detail":{"x-limit":3e2}}`}},
		{"anything-but a prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`,
			[]string{`{"detail":{"state":"running"}}`}, []string{`{"detail":{"state":"initializing"}}`}},
		{"anything-but a suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`,
			[]string{`{"detail":{"FileName":"a.png"}}`}, []string{`{"detail":{"FileName":"notes.txt"}}`}},
		{"anything-but, ignoring case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["initializing","stopped"]}}]}}`,
			[]string{`{"detail":{"state":"running"}}`}, []string{`{"detail":{"state":"INITIALIZING"}}`, `{"detail":{"state":"Stopped"}}`}},
		{"anything-but a wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`,
			[]string{`{"detail":{"FilePath":"/usr/bin/a"}}`}, []string{`{"detail":{"FilePath":"/usr/lib/a"}}`}},
		{"numeric ranges", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`,
			[]string{`{"detail":{"c-count":5,"d-count":7,"x-limit":301.8}}`},
			[]string{`{"detail":{"c-count":0,"d-count":7,"x-limit":301.8}}`, `{"detail":{"c-count":5,"d-count":10,"x-limit":301.8}}`,
				`{"detail":{"c-count":"5","d-count":7,"x-limit":301.8}}`, `{"detail":{"c-count":5,"d-count":7,"x-limit":301.9}}`}},
		{"an IP address in a CIDR block", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`,
			[]string{`{"detail":{"sourceIPAddress":"10.0.0.255"}}`}, []string{`{"detail":{"sourceIPAddress":"10.0.1.0"}}`, `{"detail":{"sourceIPAddress":"example"}}`}},
		{"exists", `{"detail":{"state":[{"exists":true}]}}`,
			[]string{`{"detail":{"state":"initializing"}}`}, []string{`{"detail":{}}`, `{}`, `{"detail":{"state":{"nested":1}}}`}},
		{"does not exist", `{"detail":{"c-count":[{"exists":false}]}}`,
			[]string{`{"detail":{"state":"initializing"}}`, `{}`}, []string{`{"detail":{"c-count":1}}`}},
		{"equals-ignore-case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`,
			[]string{ec2Event}, []string{`{"detail-type":"ec2 instance state-change"}`}},
		{"wildcard", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`,
			[]string{`{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`},
			[]string{`{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}`}},
		{"wildcard with an escaped star", `{"name":[{"wildcard":"a\\*b*"}]}`,
			[]string{`{"name":"a*bc"}`}, []string{`{"name":"axbc"}`}},
		{"$or of numeric fields", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`,
			[]string{`{"detail":{"c-count":3}}`, `{"detail":{"d-count":9}}`, `{"detail":{"x-limit":301.8}}`}, []string{`{"detail":{"c-count":6,"d-count":10}}`}},
		{"$or beside a field", `{"source":["aws.s3"],"$or":[{"detail-type":["Object Created"]},{"detail":{"reason":["PutObject"]}}]}`,
			[]string{`{"source":"aws.s3","detail-type":"Object Created"}`, `{"source":"aws.s3","detail":{"reason":"PutObject"}}`},
			[]string{`{"source":"aws.ec2","detail-type":"Object Created"}`, `{"source":"aws.s3","detail-type":"Object Deleted"}`}},
		{"empty string and null", `{"detail":{"eventVersion":[""],"responseElements":[null]}}`,
			[]string{`{"detail":{"eventVersion":"","responseElements":null}}`}, []string{`{"detail":{"eventVersion":"","responseElements":"x"}}`, `{"detail":{"eventVersion":""}}`}},
		{"numbers match as numbers, strings as strings", `{"detail":{"n":[300],"s":["300"]}}`,
			[]string{`{"detail":{"n":300.0,"s":"300"}}`, `{"detail":{"n":3e2,"s":"300"}}`}, []string{`{"detail":{"n":"300","s":"300"}}`, `{"detail":{"n":300,"s":300}}`}},
		{"arrays of objects: one element matches", `{"detail":{"items":{"kind":["a"],"n":[1]}}}`,
			[]string{`{"detail":{"items":[{"kind":"b","n":1},{"kind":"a","n":1}]}}`}, []string{`{"detail":{"items":[{"kind":"b","n":1},{"kind":"a","n":2}]}}`}},
		{"the uploads rule (constructs/uploads OnUploaded)", `{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["uploads"]},"object":{"key":[{"prefix":"incoming/"}]}}}`,
			[]string{`{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"uploads"},"object":{"key":"incoming/a+b.txt","size":5}}}`},
			[]string{`{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"uploads"},"object":{"key":"done/a.txt"}}}`,
				`{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"other"},"object":{"key":"incoming/a.txt"}}}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.pattern, err)
			}
			for _, e := range tc.match {
				if !p.Match([]byte(e)) {
					t.Errorf("%s does not match %s; want a match", tc.pattern, e)
				}
			}
			for _, e := range tc.noMatch {
				if p.Match([]byte(e)) {
					t.Errorf("%s matches %s; want none", tc.pattern, e)
				}
			}
		})
	}
}

// TestCompileFailsOnInvalidPatterns: what EventBridge refuses (PutRule's
// InvalidEventPatternException) is an error naming the place.
func TestCompileFailsOnInvalidPatterns(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{`[]`, "want a JSON object"},
		{`{}`, "empty object"},
		{`{"source":"aws.s3"}`, `source: want an array of values or an object, got a string (write ["aws.s3"])`},
		{`{"source":[]}`, "source: an empty array"},
		{`{"source":[{"starts-with":"a"}]}`, `source[0].starts-with: unknown operator "starts-with"`},
		{`{"source":[{"prefix":"a","suffix":"b"}]}`, "one key"},
		{`{"n":[{"numeric":[">",0,">",5]}]}`, "must be a range"},
		{`{"n":[{"numeric":["~",0]}]}`, `n[0].numeric[0]: "~" is not one of`},
		{`{"n":[{"numeric":[">","5"]}]}`, "want a number"},
		{`{"n":[{"exists":"yes"}]}`, "want true or false"},
		{`{"n":[{"anything-but":["a",1]}]}`, "strings only or of numbers only"},
		{`{"n":[{"anything-but":{"exists":true}}]}`, "inside anything-but"},
		{`{"n":[{"wildcard":"a**b"}]}`, "consecutive"},
		{`{"n":[{"cidr":"10.0.0.0/33"}]}`, "not a CIDR block"},
		{`{"$or":[{"a":["b"]}]}`, "$or: want an array of at least two patterns"},
		{`{"source":["a"]} {}`, "more than one JSON value"},
	} {
		_, err := Compile([]byte(tc.pattern))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compile(%s) = %v; want an error with %q", tc.pattern, err, tc.want)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{`{"source":["aws.s3"]}`, `{"detail":{"object":{"key":[{"prefix":"incoming/"}]}}}`,
		`{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"a":[{"anything-but":{"wildcard":["*x","y*"]}}]}`, `{"$or":[{"a":[1]},{"b":[{"exists":false}]}]}`,
		`{"a":[{"wildcard":"a\\*b*c"}],"b":[{"cidr":"10.0.0.0/8"}],"c":[null,true,"",{"equals-ignore-case":"X"}]}`} {
		f.Add(s, `{"source":"aws.s3","a":"x","n":3,"detail":{"object":{"key":"incoming/a"}}}`)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := Compile([]byte(pattern))
		if err != nil {
			return
		}
		first := p.Match([]byte(event))
		// The same pattern, compiled from its decoded form, matches alike.
		q, err := CompileValue(mustDecode(t, pattern))
		if err != nil {
			t.Fatalf("%s compiles, but not once decoded and encoded again: %v", pattern, err)
		}
		if q.Match([]byte(event)) != first {
			t.Fatalf("%s on %s: %v, then %v", pattern, event, first, !first)
		}
	})
}
