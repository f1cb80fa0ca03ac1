package presign

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-lambda-go/events"
)

// decodeBody decodes the JSON body (base64 when API Gateway says so) into v,
// a body of at most limit bytes. It refuses what a lenient decoder would let
// through, each with the field at fault: a key given twice (encoding/json
// keeps the last, so {"fileName":"../x","fileName":"a.txt"} would pass a
// check that saw the first), unknown fields, values of the wrong type and
// trailing data.
func decodeBody(req events.APIGatewayProxyRequest, v any, limit int) error {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return badRequest("InvalidBody", "", "the body is marked base64 but does not decode")
		}
	}
	if len(body) > limit {
		return &RequestError{Status: 413, Code: "BodyTooLarge", Message: fmt.Sprintf("the body is %d bytes; allowed: at most %d", len(body), limit)}
	}
	if err := duplicateKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("InvalidJSON", "", "the body has data after the JSON object")
	}
	return nil
}

// jsonError names the field of a decoding error, when there is one.
func jsonError(err error) *RequestError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return badRequest("InvalidJSON", typeErr.Field, "%s is a JSON %s; allowed: a %s", typeErr.Field, typeErr.Value, jsonType(typeErr.Type.Kind().String()))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if field, uerr := strconv.Unquote(name); uerr == nil {
			return badRequest("UnknownField", field, "%s is not a field of this request; check its spelling (names are case-sensitive)", field)
		}
	}
	return badRequest("InvalidJSON", "", "the body is not the expected JSON object: %v", err)
}

func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "whole number"
	case strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "slice":
		return "JSON array"
	case kind == "struct", kind == "map":
		return "JSON object"
	}
	return kind
}

// duplicateKeys refuses an object, at any depth, that has a key twice.
// Malformed JSON is left for the decoder to report.
func duplicateKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	malformed := errors.New("malformed")
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return malformed
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return malformed
				}
				key, _ := t.(string)
				field := key
				if path != "" {
					field = path + "." + key
				}
				// encoding/json matches names regardless of case
				// ({"fileName":...,"FileName":...} is the same field), as
				// its foldName does.
				folded := strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, key)
				if seen[folded] {
					return badRequest("DuplicateField", field, "%s is given twice (names match regardless of case); allowed: each field once", field)
				}
				seen[folded] = true
				if err := walk(field); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return malformed
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return malformed
			}
		}
		return nil
	}
	if err := walk(""); err != malformed {
		return err
	}
	return nil
}
