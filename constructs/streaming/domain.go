package streaming

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/propcheck"
)

// DomainProps serve an API on a domain of its own: a custom domain of the
// API's endpoint type (REGIONAL by default; EDGE when you chose EDGE) with
// the TLS 1.2 security policy, the API's stage mapped under BasePath, and a
// Route 53 alias when HostedZone is given.
type DomainProps struct {
	// DomainName is the API's host name, e.g. "streams.example.com".
	// Required.
	DomainName *string
	// Certificate is an ACM certificate for DomainName in the stack's
	// region (a REGIONAL domain cannot use a us-east-1 certificate made for
	// EDGE; an EDGE domain needs one in us-east-1). Default: a new
	// certificate validated by DNS in HostedZone.
	Certificate awscertificatemanager.ICertificate
	// HostedZone is the Route 53 zone DomainName belongs to: an alias A
	// record points the name at the API, and a new certificate is validated
	// there. Default: none (point your DNS at the domain's regional name).
	HostedZone awsroute53.IHostedZone
	// BasePath maps the API under https://DomainName/BasePath/: segments of
	// letters, digits and -._~ separated by "/", no leading or trailing
	// slash. Default: the domain's root.
	BasePath *string
}

// Domain is an API's custom domain.
type Domain struct {
	// DomainName is the API Gateway custom domain.
	DomainName awsapigateway.DomainName
	// Certificate is the domain's certificate: DomainProps.Certificate or
	// the new one.
	Certificate awscertificatemanager.ICertificate
	// Record is the Route 53 alias; nil without HostedZone.
	Record awsroute53.ARecord
	// Url is https://DomainName/BasePath/ (also the stack output
	// "<id>CustomUrl").
	Url *string
}

var (
	hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	basePath  = regexp.MustCompile(`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$`)
	arnRegion = regexp.MustCompile(`^arn:[a-z-]+:acm:([a-z0-9-]+):`)
)

// Validate reports what is wrong with d for a domain served from scope's
// stack, one error per problem (errors.Join), nil when nothing is: by
// CloudFront when cloudFront is true (an EDGE API or an
// EdgeUploadEndpoint: the certificate is in us-east-1), else by a REGIONAL
// API (the certificate is in the stack's region). Values known only at
// deploy time are not checked. prop names d in the messages ("Domain").
func (d *DomainProps) Validate(prop string, scope constructs.IConstruct, cloudFront bool) error {
	p := propcheck.NewNamedProblems(prop)
	d.validate(p, prop, scope, cloudFront)
	return p.Joined()
}

func (d *DomainProps) validate(p *propcheck.Problems, prop string, scope constructs.IConstruct, edge bool) {
	switch {
	case d.DomainName == nil:
		p.Add(prop+".DomainName", "unset", "the host name, e.g. \"streams.example.com\"", "set "+prop+".DomainName")
	case propcheck.Resolved(d.DomainName):
		name := strings.ToLower(*d.DomainName)
		labels := strings.Split(name, ".")
		ok := len(labels) >= 2 && len(name) <= 253
		for _, l := range labels {
			ok = ok && hostLabel.MatchString(l)
		}
		if !ok {
			p.Add(prop+".DomainName", propcheck.Quote(d.DomainName), "a host name of two or more labels of letters, digits and hyphens, e.g. \"streams.example.com\" (no scheme, path or wildcard)",
				"write the host name only")
		}
		if d.HostedZone != nil && propcheck.Resolved(d.HostedZone.ZoneName()) {
			zone := strings.TrimSuffix(strings.ToLower(*d.HostedZone.ZoneName()), ".")
			if name != zone && !strings.HasSuffix(name, "."+zone) {
				p.Add(prop+".HostedZone", fmt.Sprintf("%q", zone), fmt.Sprintf("the zone that %q belongs to", name), "pass the zone of the domain, or a domain in the zone")
			}
		}
	}
	if d.Certificate == nil && d.HostedZone == nil {
		p.Add(prop+".Certificate/HostedZone", "both unset", "a certificate for the domain, or the hosted zone to validate a new one in",
			"pass Certificate (ACM, in the API's region), or HostedZone")
	}
	if d.BasePath != nil && propcheck.Resolved(d.BasePath) && !basePath.MatchString(*d.BasePath) {
		p.Add(prop+".BasePath", propcheck.Quote(d.BasePath), `segments of letters, digits and -._~ separated by "/", without a leading or trailing slash, e.g. "v1" or "streams/v1"`,
			"write the path like \"v1\", or leave BasePath unset for the root")
	}
	region := awscdk.Stack_Of(scope).Region()
	want, why := *region, "a REGIONAL domain uses a certificate of the API's region"
	if edge {
		// An EDGE domain is served by CloudFront, whose certificates live in
		// us-east-1 (and whose 30 s idle timeout cuts slow streams: the API
		// warns about EDGE already).
		want, why = "us-east-1", "a domain served by CloudFront (an EDGE API or an EdgeUploadEndpoint) uses a certificate in us-east-1"
		if d.Certificate == nil && propcheck.Resolved(region) && *region != "us-east-1" {
			p.Add(prop+".Certificate", "unset in a stack in "+*region, why+", which this stack cannot create",
				"pass a us-east-1 certificate (an API can use a REGIONAL endpoint instead, the default)")
		}
	}
	if d.Certificate != nil && propcheck.Resolved(d.Certificate.CertificateArn()) && (edge || propcheck.Resolved(region)) {
		if m := arnRegion.FindStringSubmatch(*d.Certificate.CertificateArn()); m != nil && m[1] != want {
			hint := ""
			if m[1] == "us-east-1" && !edge {
				hint = " (us-east-1 certificates are for EDGE endpoints and CloudFront)"
			}
			p.Add(prop+".Certificate", fmt.Sprintf("in %s%s", m[1], hint), fmt.Sprintf("a certificate in %s: %s", want, why),
				"request or import the certificate in "+want+", or pass HostedZone to have one made")
		}
	}
}

// addDomain creates the custom domain of the new API.
func (a *StreamingRestApi) addDomain(d *DomainProps, edge bool) *Domain {
	out := &Domain{Certificate: d.Certificate}
	endpointType := awsapigateway.EndpointType_REGIONAL
	if edge {
		endpointType = awsapigateway.EndpointType_EDGE
	}
	if out.Certificate == nil {
		out.Certificate = awscertificatemanager.NewCertificate(a, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
			DomainName: d.DomainName,
			Validation: awscertificatemanager.CertificateValidation_FromDns(d.HostedZone),
		})
	}
	out.DomainName = awsapigateway.NewDomainName(a, jsii.String("Domain"), &awsapigateway.DomainNameProps{
		DomainName:     d.DomainName,
		Certificate:    out.Certificate,
		EndpointType:   endpointType,
		SecurityPolicy: awsapigateway.SecurityPolicy_TLS_1_2,
	})
	out.DomainName.AddBasePathMapping(a.RestApi, &awsapigateway.BasePathMappingOptions{BasePath: d.BasePath, Stage: a.Stage})
	if d.HostedZone != nil {
		out.Record = awsroute53.NewARecord(a, jsii.String("DomainAlias"), &awsroute53.ARecordProps{
			Zone:       d.HostedZone,
			RecordName: d.DomainName,
			Target:     awsroute53.RecordTarget_FromAlias(awsroute53targets.NewApiGatewayDomain(out.DomainName)),
		})
	}
	path := ""
	if d.BasePath != nil {
		path = *d.BasePath + "/"
	}
	out.Url = jsii.String("https://" + *d.DomainName + "/" + path)
	awscdk.NewCfnOutput(a, jsii.String("CustomUrl"), &awscdk.CfnOutputProps{Value: out.Url, Description: jsii.String("The API on its custom domain")})
	return out
}
