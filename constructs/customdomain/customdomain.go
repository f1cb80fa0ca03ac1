// Package customdomain describes a host name of your own that a streamgate
// endpoint is served on. The three constructs that serve one take the same
// props: StreamingRestApi and PresignedUploadApi (an API Gateway custom
// domain) and EdgeUploadEndpoint (a CloudFront alternate domain name).
//
//	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
//		Domain: &customdomain.DomainProps{
//			DomainName: jsii.String("streams.example.com"),
//			HostedZone: zone, // a new certificate validated by DNS, and alias records
//		},
//	})
//
// Each construct validates its Domain with DomainProps.Validate before it
// creates anything, for what serves the domain (Regional or CloudFront):
// that decides the region the certificate must be in.
package customdomain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/streamgate/streamgate/constructs/internal/propcheck"
)

// DomainProps serve an endpoint on a domain of its own; the Domain prop of
// each construct says what it builds from them (for an API: a custom domain
// of the API's endpoint type with the TLS 1.2 security policy, the stage
// mapped under BasePath, and a Route 53 alias when HostedZone is given).
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

var (
	hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	basePath  = regexp.MustCompile(`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$`)
	arnRegion = regexp.MustCompile(`^arn:[a-z-]+:acm:([a-z0-9-]+):`)
)

// Endpoint is what serves a custom domain. It decides the region of the
// domain's certificate: ACM certificates are regional, and CloudFront uses
// only those in us-east-1
// (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html).
type Endpoint string

// The endpoints that serve a custom domain.
const (
	// Regional is a REGIONAL API Gateway endpoint (StreamingRestApi's and
	// PresignedUploadApi's default): the certificate is in the stack's
	// region.
	Regional Endpoint = "REGIONAL"
	// CloudFront is a CloudFront distribution: an EDGE API, or an
	// EdgeUploadEndpoint. The certificate is in us-east-1.
	CloudFront Endpoint = "CLOUDFRONT"
)

// Validate reports what is wrong with d for a domain that servedBy serves
// from scope's stack, one error per problem (errors.Join), nil when nothing
// is. Values known only at deploy time are not checked. prop names d in
// the messages ("Domain").
func (d *DomainProps) Validate(prop string, scope constructs.IConstruct, servedBy Endpoint) error {
	p := propcheck.NewNamedProblems(prop)
	d.validate(p, prop, scope, servedBy)
	return p.Joined()
}

// validate records d's problems: its host name, where its certificate
// comes from, its base path and the certificate's region.
func (d *DomainProps) validate(p *propcheck.Problems, prop string, scope constructs.IConstruct, servedBy Endpoint) {
	d.checkName(p, prop)
	if d.Certificate == nil && d.HostedZone == nil {
		p.Add(prop+".Certificate/HostedZone", "both unset", "a certificate for the domain, or the hosted zone to validate a new one in",
			"pass Certificate (ACM, in the API's region), or HostedZone")
	}
	if d.BasePath != nil && propcheck.Resolved(d.BasePath) && !basePath.MatchString(*d.BasePath) {
		p.Add(prop+".BasePath", propcheck.Quote(d.BasePath), `segments of letters, digits and -._~ separated by "/", without a leading or trailing slash, e.g. "v1" or "streams/v1"`,
			"write the path like \"v1\", or leave BasePath unset for the root")
	}
	d.checkCertificateRegion(p, prop, awscdk.Stack_Of(scope).Region(), servedBy == CloudFront)
}

// checkName records a DomainName that is unset or no host name, and a
// HostedZone the name is not in.
func (d *DomainProps) checkName(p *propcheck.Problems, prop string) {
	if d.DomainName == nil {
		p.Add(prop+".DomainName", "unset", "the host name, e.g. \"streams.example.com\"", "set "+prop+".DomainName")
		return
	}
	if !propcheck.Resolved(d.DomainName) {
		return
	}
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

// checkCertificateRegion records a certificate outside the region the
// endpoint needs (us-east-1 for CloudFront, else the stack's region) and,
// for CloudFront, a new certificate that a stack outside us-east-1 cannot
// create.
func (d *DomainProps) checkCertificateRegion(p *propcheck.Problems, prop string, region *string, cloudFront bool) {
	want, why := *region, "a REGIONAL domain uses a certificate of the API's region"
	if cloudFront {
		// An EDGE API is served by CloudFront too (whose 30 s idle timeout
		// cuts slow streams: the API warns about EDGE already).
		want, why = "us-east-1", "a domain served by CloudFront (an EDGE API or an EdgeUploadEndpoint) uses a certificate in us-east-1"
		if d.Certificate == nil && propcheck.Resolved(region) && *region != "us-east-1" {
			p.Add(prop+".Certificate", "unset in a stack in "+*region, why+", which this stack cannot create",
				"pass a us-east-1 certificate (an API can use a REGIONAL endpoint instead, the default)")
		}
	}
	if d.Certificate == nil || !propcheck.Resolved(d.Certificate.CertificateArn()) || !cloudFront && !propcheck.Resolved(region) {
		return
	}
	if m := arnRegion.FindStringSubmatch(*d.Certificate.CertificateArn()); m != nil && m[1] != want {
		hint := ""
		if m[1] == "us-east-1" && !cloudFront {
			hint = " (us-east-1 certificates are for EDGE endpoints and CloudFront)"
		}
		p.Add(prop+".Certificate", fmt.Sprintf("in %s%s", m[1], hint), fmt.Sprintf("a certificate in %s: %s", want, why),
			"request or import the certificate in "+want+", or pass HostedZone to have one made")
	}
}
