package streaming_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

var pinned = &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}}

func zone(stack awscdk.Stack) awsroute53.IHostedZone {
	return awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String("Z0123456789ABC"), ZoneName: jsii.String("example.com"),
	})
}

func TestDomainWithHostedZone(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Domain"), pinned)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Domain: &customdomain.DomainProps{DomainName: jsii.String("streams.example.com"), HostedZone: zone(stack), BasePath: jsii.String("v1")},
		Routes: &[]*streaming.RouteProps{get200("/records")},
	})
	s := synth(t, stack, api)
	cert := s.ofType("AWS::CertificateManager::Certificate")
	if len(cert) != 1 || cert[0]["ValidationMethod"] != "DNS" || cert[0]["DomainName"] != "streams.example.com" {
		t.Errorf("certificate: %s", js(cert))
	}
	d := s.props(t, api.Domain.DomainName)
	want(t, "domain", d["DomainName"], "streams.example.com")
	want(t, "endpoint", d["EndpointConfiguration"], map[string]any{"Types": []string{"REGIONAL"}})
	want(t, "TLS", d["SecurityPolicy"], "TLS_1_2")
	if d["RegionalCertificateArn"] == nil {
		t.Error("no regional certificate")
	}
	m := s.ofType("AWS::ApiGateway::BasePathMapping")
	if len(m) != 1 || m[0]["BasePath"] != "v1" || m[0]["Stage"] == nil {
		t.Errorf("base path mapping: %s", js(m))
	}
	rec := s.ofType("AWS::Route53::RecordSet")
	if len(rec) != 1 || rec[0]["Type"] != "A" || rec[0]["Name"] != "streams.example.com." || rec[0]["AliasTarget"] == nil {
		t.Errorf("record: %s", js(rec))
	}
	want(t, "url", *api.Domain.Url, "https://streams.example.com/v1/")
	if out := js(s.Outputs); !strings.Contains(out, "https://streams.example.com/v1/") {
		t.Errorf("outputs: %s", out)
	}
}

func TestDomainWithCertificateOnly(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("DomainCert"), pinned)
	cert := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Cert"),
		jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/0d7a4e5c-1111-2222-3333-444455556666"))
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Domain: &customdomain.DomainProps{DomainName: jsii.String("streams.example.com"), Certificate: cert},
		Routes: &[]*streaming.RouteProps{get200("/records")},
	})
	s := synth(t, stack, api)
	for _, typ := range []string{"AWS::CertificateManager::Certificate", "AWS::Route53::RecordSet"} {
		if n := len(s.ofType(typ)); n != 0 {
			t.Errorf("%d %s", n, typ)
		}
	}
	want(t, "certificate", s.props(t, api.Domain.DomainName)["RegionalCertificateArn"], *cert.CertificateArn())
	if m := s.ofType("AWS::ApiGateway::BasePathMapping"); len(m) != 1 || m[0]["BasePath"] != nil {
		t.Errorf("root mapping: %s", js(m))
	}
}

func TestFailsDomainMistakes(t *testing.T) {
	st := awscdk.NewStack(cdktest.NewApp(false), jsii.String("DomainFails"), pinned)
	east := awscertificatemanager.Certificate_FromCertificateArn(st, jsii.String("East"),
		jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/0d7a4e5c-1111-2222-3333-444455556666"))
	z := zone(st)
	for _, c := range []struct {
		d    *customdomain.DomainProps
		want string
	}{
		{&customdomain.DomainProps{DomainName: jsii.String("https://streams.example.com/"), Certificate: east}, `Domain.DomainName is "https://streams.example.com/"; allowed: a host name`},
		{&customdomain.DomainProps{DomainName: jsii.String("streams.example.com"), HostedZone: z, BasePath: jsii.String("/v1/")}, `Domain.BasePath is "/v1/"; allowed: segments`},
		{&customdomain.DomainProps{DomainName: jsii.String("streams.example.com"), Certificate: east},
			"Domain.Certificate is in us-east-1 (us-east-1 certificates are for EDGE endpoints and CloudFront); allowed: a certificate in eu-west-1"},
		{&customdomain.DomainProps{DomainName: jsii.String("streams.example.org"), HostedZone: z}, `Domain.HostedZone is "example.com"; allowed: the zone that "streams.example.org" belongs to`},
		{&customdomain.DomainProps{DomainName: jsii.String("streams.example.com")}, "Domain.Certificate/HostedZone is both unset"},
	} {
		msg := cdktest.PanicMessage(t, func() {
			streaming.NewStreamingRestApi(st, jsii.String("Api"), &streaming.StreamingRestApiProps{Domain: c.d})
		})
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, "Fix:") {
			t.Errorf("message lacks %q:\n%s", c.want, msg)
		}
	}
	msg := cdktest.PanicMessage(t, func() {
		streaming.NewStreamingRestApi(st, jsii.String("Edge"), &streaming.StreamingRestApiProps{
			Domain:       &customdomain.DomainProps{DomainName: jsii.String("streams.example.com"), HostedZone: z},
			RestApiProps: &awsapigateway.RestApiProps{EndpointTypes: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_EDGE}},
		})
	})
	if !strings.Contains(msg, "Domain.Certificate is unset in a stack in eu-west-1; allowed: a domain served by CloudFront (an EDGE API or an EdgeUploadEndpoint) uses a certificate in us-east-1") {
		t.Errorf("EDGE message: %s", msg)
	}
	existing := awsapigateway.NewRestApi(st, jsii.String("Existing"), nil)
	existing.Root().AddMethod(jsii.String("GET"), nil, nil)
	msg = cdktest.PanicMessage(t, func() {
		streaming.NewStreamingRestApi(st, jsii.String("OnExisting"), &streaming.StreamingRestApiProps{ExistingRestApi: existing,
			Domain: &customdomain.DomainProps{DomainName: jsii.String("streams.example.com"), HostedZone: z}})
	})
	if !strings.Contains(msg, "Domain is set together with ExistingRestApi") {
		t.Errorf("existing: %s", msg)
	}
}
