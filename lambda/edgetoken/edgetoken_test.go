package edgetoken

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

// Vectors is the shape of testdata/vectors.json, which the JavaScript
// verifier's tests read too (internal/edge).
type Vectors struct {
	Keys  map[string]string `json:"keys"`
	Cases []Vector          `json:"cases"`
}

// Vector is one token checked at Now: either Claims and UploadID, or Error.
type Vector struct {
	Name     string  `json:"name"`
	Token    string  `json:"token"`
	Now      int64   `json:"now"`
	Claims   *Claims `json:"claims,omitempty"`
	UploadID string  `json:"uploadId,omitempty"`
	Error    string  `json:"error,omitempty"`
	// Kid, when set, is the key the token was issued with from Claims, so
	// the test issues it again and compares.
	Kid string `json:"kid,omitempty"`
}

const vectorsFile = "testdata/vectors.json"

var testKeys = map[string]string{
	"k1": "k1-secret-0123456789abcdefghijklmnopqrstuvwxyz",
	"k2": "k2-secret-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210",
}

const t0 = 1_780_000_000

func key(id string) Key { return Key{ID: id, Secret: []byte(testKeys[id])} }

func mustIssue(t *testing.T, k Key, c Claims) string {
	t.Helper()
	tok, err := Issue(k, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signRaw signs any claims text, valid or not.
func signRaw(k Key, claims string) string {
	signed := Version + "." + k.ID + "." + b64([]byte(claims))
	return signed + "." + b64(sign(k.Secret, signed))
}

func buildVectors(t *testing.T) Vectors {
	full := Claims{Subject: "partner-42", Expires: t0 + 300, Name: "report.pdf", MaxSize: 5 << 20, ContentType: "application/pdf"}
	prefix := Claims{Subject: "cam.7", Expires: t0 + 60, Name: "clip-*", ContentType: "video/mp4"}
	bare := Claims{Subject: "u1", Expires: t0 + 1}
	good := mustIssue(t, key("k1"), full)
	parts := strings.Split(good, ".")
	tamperedClaims := parts[0] + "." + parts[1] + "." + b64([]byte(`{"sub":"partner-42","exp":1780000300,"name":"report.pdf","max":5242880000,"type":"application/pdf"}`)) + "." + parts[3]
	flipped := []byte(parts[3])
	flipped[5] ^= 1
	if flipped[5] == '.' {
		flipped[5] = 'A'
	}
	v := Vectors{Keys: testKeys}
	add := func(name, tok string, now int64, c *Claims, kid, errCode string) {
		vec := Vector{Name: name, Token: tok, Now: now, Claims: c, Kid: kid, Error: errCode}
		if c != nil {
			vec.UploadID = UploadID(tok)
		}
		v.Cases = append(v.Cases, vec)
	}
	add("valid with every claim", good, t0, &full, "k1", "")
	add("valid name prefix, second key", mustIssue(t, key("k2"), prefix), t0+59, &prefix, "k2", "")
	add("valid bare", mustIssue(t, key("k1"), bare), t0, &bare, "k1", "")
	add("expired at exp", mustIssue(t, key("k1"), bare), t0+1, nil, "", CodeExpired)
	add("expired long ago", good, t0+10_000, nil, "", CodeExpired)
	add("tampered claims", tamperedClaims, t0, nil, "", CodeBadSignature)
	add("tampered signature", parts[0]+"."+parts[1]+"."+parts[2]+"."+string(flipped), t0, nil, "", CodeBadSignature)
	add("truncated signature", good[:len(good)-4], t0, nil, "", CodeBadSignature)
	add("unknown key id", strings.Replace(good, ".k1.", ".k9.", 1), t0, nil, "", CodeUnknownKey)
	add("key id swapped to another held key", strings.Replace(good, ".k1.", ".k2.", 1), t0, nil, "", CodeBadSignature)
	add("key id with a space", strings.Replace(good, ".k1.", ".k 1.", 1), t0, nil, "", CodeMalformed)
	add("wrong version", strings.Replace(good, "sgt1.", "sgt2.", 1), t0, nil, "", CodeMalformed)
	add("three parts", parts[0]+"."+parts[1]+"."+parts[2], t0, nil, "", CodeMalformed)
	add("empty", "", t0, nil, "", CodeMalformed)
	add("signed claims that are not JSON", signRaw(key("k1"), "not json"), t0, nil, "", CodeMalformed)
	add("signed claims with a bad subject", signRaw(key("k1"), `{"sub":"../etc","exp":1780000300}`), t0, nil, "", CodeMalformed)
	add("signed claims with a dot-dot subject", signRaw(key("k1"), `{"sub":"..","exp":1780000300}`), t0, nil, "", CodeMalformed)
	add("signed claims without expiry", signRaw(key("k1"), `{"sub":"u1"}`), t0, nil, "", CodeMalformed)
	add("signed claims with a path in name", signRaw(key("k1"), `{"sub":"u1","exp":1780000300,"name":"a/b"}`), t0, nil, "", CodeMalformed)
	add("signed claims with an expiry past 2^53", signRaw(key("k1"), `{"sub":"u1","exp":9007199254740993}`), t0, nil, "", CodeMalformed)
	add("signed claims with a fractional size", signRaw(key("k1"), `{"sub":"u1","exp":1780000300,"max":1.5}`), t0, nil, "", CodeMalformed)
	add("signed claims that are null", signRaw(key("k1"), `null`), t0, nil, "", CodeMalformed)
	add("signature with padding", good+"=", t0, nil, "", CodeBadSignature)
	add("signed claims with a string expiry", signRaw(key("k1"), `{"sub":"u1","exp":"1780000300"}`), t0, nil, "", CodeMalformed)
	return v
}

func keysOf(v Vectors) Keys {
	k := Keys{}
	for id, s := range v.Keys {
		k[id] = []byte(s)
	}
	return k
}

// TestVectors pins the format: the Go issuer reproduces every valid token,
// the Go verifier gives every expected result; the JavaScript tests run the
// same file.
func TestVectors(t *testing.T) {
	if *update {
		data, err := json.MarshalIndent(buildVectors(t), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsFile, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var v Vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 15 {
		t.Fatalf("%d vectors; the file lost cases", len(v.Cases))
	}
	keys := keysOf(v)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Verify(c.Token, keys, time.Unix(c.Now, 0))
			if c.Error != "" {
				e, ok := err.(*Error)
				if !ok || e.Code != c.Error {
					t.Fatalf("Verify = %+v, %v; want error %s", got, err, c.Error)
				}
				return
			}
			if err != nil || got != *c.Claims {
				t.Fatalf("Verify = %+v, %v; want %+v", got, err, *c.Claims)
			}
			if id := UploadID(c.Token); id != c.UploadID || len(id) != 22 {
				t.Errorf("UploadID = %q, want %q", id, c.UploadID)
			}
			if c.Kid != "" {
				if again := mustIssue(t, Key{ID: c.Kid, Secret: keys[c.Kid]}, *c.Claims); again != c.Token {
					t.Errorf("Issue = %s, want %s", again, c.Token)
				}
			}
		})
	}
}

func TestIssueRefusesBadInputWithTheFix(t *testing.T) {
	for _, tc := range []struct {
		key  Key
		c    Claims
		want string
	}{
		{Key{ID: "k 1", Secret: []byte(testKeys["k1"])}, Claims{Subject: "a", Expires: 1}, "key id"},
		{Key{ID: "k1", Secret: []byte("short")}, Claims{Subject: "a", Expires: 1}, "openssl rand"},
		{key("k1"), Claims{Subject: "", Expires: 1}, "Subject"},
		{key("k1"), Claims{Subject: "a/b", Expires: 1}, "Subject"},
		{key("k1"), Claims{Subject: "a"}, "time.Now()"},
		{key("k1"), Claims{Subject: "a", Expires: 1, MaxSize: -1}, "MaxSize"},
		{key("k1"), Claims{Subject: "a", Expires: 1, Name: "../x"}, "Name"},
		{key("k1"), Claims{Subject: "a", Expires: 1, ContentType: "video/*"}, "ContentType"},
	} {
		if _, err := Issue(tc.key, tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Issue(%+v, %+v) = %v; want an error naming %q", tc.key.ID, tc.c, err, tc.want)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k, err := ParseKeys([]byte(`{"k1":"` + testKeys["k1"] + `","k2":"` + testKeys["k2"] + `"}`))
	if err != nil || len(k) != 2 || string(k["k2"]) != testKeys["k2"] {
		t.Fatalf("ParseKeys = %v, %v", k, err)
	}
	for _, bad := range []string{`[]`, `{}`, `{"k1":"short"}`, `{"bad id":"` + testKeys["k1"] + `"}`} {
		if _, err := ParseKeys([]byte(bad)); err == nil {
			t.Errorf("ParseKeys(%s) accepted", bad)
		}
	}
}

func TestNewTokenVerifiesNow(t *testing.T) {
	dev := Key{ID: "dev", Secret: []byte("a-development-key-of-at-least-32-bytes")}
	tok, err := New(dev, "me", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Verify(tok, Keys{dev.ID: dev.Secret}, time.Now()); err != nil || c.Subject != "me" {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
}

func FuzzVerify(f *testing.F) {
	for _, c := range buildVectors(&testing.T{}).Cases {
		f.Add(c.Token)
	}
	keys := Keys{"k1": []byte(testKeys["k1"])}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := Verify(tok, keys, time.Unix(t0, 0))
		if err == nil && (c.Check() != nil || c.Expires <= t0) {
			t.Fatalf("accepted invalid claims %+v", c)
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
		}
	})
}

func BenchmarkIssue(b *testing.B) {
	c := Claims{Subject: "partner-42", Expires: t0 + 300, Name: "report.pdf", MaxSize: 5 << 20, ContentType: "application/pdf"}
	for b.Loop() {
		if _, err := Issue(key("k1"), c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	tok, _ := Issue(key("k1"), Claims{Subject: "partner-42", Expires: t0 + 300, Name: "report.pdf", MaxSize: 5 << 20, ContentType: "application/pdf"})
	keys := Keys{"k1": []byte(testKeys["k1"])}
	for b.Loop() {
		if _, err := Verify(tok, keys, time.Unix(t0, 0)); err != nil {
			b.Fatal(err)
		}
	}
}
