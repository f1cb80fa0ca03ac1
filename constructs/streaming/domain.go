package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/customdomain"
)

// Domain is an API's custom domain.
type Domain struct {
	// DomainName is the API Gateway custom domain.
	DomainName awsapigateway.DomainName
	// Certificate is the domain's certificate: the Certificate of the
	// Domain prop, or the new one.
	Certificate awscertificatemanager.ICertificate
	// Record is the Route 53 alias; nil without HostedZone.
	Record awsroute53.ARecord
	// Url is https://DomainName/BasePath/ (also the stack output
	// "<id>CustomUrl").
	Url *string
}

// addDomain creates the custom domain of the new API.
func (a *StreamingRestApi) addDomain(d *customdomain.DomainProps, edge bool) *Domain {
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
