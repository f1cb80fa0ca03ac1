package presign

import "github.com/streamgate/streamgate/lambda/presign/contract"

// The names below are package contract's, which the constructs and
// client/upload import without the AWS SDK; they are here too so that a
// handler reads them from one package. Each means what contract's does.

// Wire types of the upload API.
type (
	// Mode is contract.Mode: how an upload reaches S3.
	Mode = contract.Mode
	// Request is contract.Request: the body of POST /uploads.
	Request = contract.Request
	// Response is contract.Response: how the client uploads.
	Response = contract.Response
	// Part is contract.Part: one part of a multipart upload.
	Part = contract.Part
	// CompleteRequest is contract.CompleteRequest.
	CompleteRequest = contract.CompleteRequest
	// CompletedPart is contract.CompletedPart.
	CompletedPart = contract.CompletedPart
	// PartsRequest is contract.PartsRequest.
	PartsRequest = contract.PartsRequest
	// PartsList is contract.PartsList.
	PartsList = contract.PartsList
	// ListedPart is contract.ListedPart.
	ListedPart = contract.ListedPart
	// CompleteResponse is contract.CompleteResponse.
	CompleteResponse = contract.CompleteResponse
	// ErrorResponse is contract.ErrorResponse: the body of every 4xx and 5xx.
	ErrorResponse = contract.ErrorResponse
	// ErrorBody is contract.ErrorBody.
	ErrorBody = contract.ErrorBody
)

// Upload modes (contract.ModePut, ...).
const (
	ModePut       = contract.ModePut
	ModePost      = contract.ModePost
	ModeMultipart = contract.ModeMultipart
)

// Limits of S3 and of the presign request (contract's).
const (
	MaxSinglePutSize       = contract.MaxSinglePutSize
	MinPartSize            = contract.MinPartSize
	MaxPartSize            = contract.MaxPartSize
	MaxParts               = contract.MaxParts
	MaxObjectSize          = contract.MaxObjectSize
	MaxRequestBody         = contract.MaxRequestBody
	MaxCompleteRequestBody = contract.MaxCompleteRequestBody
	MaxChecksumsPerRequest = contract.MaxChecksumsPerRequest
	MaxPartsPerResponse    = contract.MaxPartsPerResponse
	ChecksumSHA256         = contract.ChecksumSHA256
)

// Environment variables the PresignedUploadApi construct sets on the
// handler (contract's).
const (
	EnvBucket          = contract.EnvBucket
	EnvPrefix          = contract.EnvPrefix
	EnvMaxSize         = contract.EnvMaxSize
	EnvContentTypes    = contract.EnvContentTypes
	EnvURLExpiration   = contract.EnvURLExpiration
	EnvMode            = contract.EnvMode
	EnvKMSKeyID        = contract.EnvKMSKeyID
	EnvRequireChecksum = contract.EnvRequireChecksum
	EnvCompanion       = contract.EnvCompanion
)

// Routes of the upload API and the Companion S3 routes (contract's).
const (
	RouteUploads           = contract.RouteUploads
	RouteParts             = contract.RouteParts
	RouteComplete          = contract.RouteComplete
	RouteAbort             = contract.RouteAbort
	CompanionPrefix        = contract.CompanionPrefix
	RouteCompanionParams   = contract.RouteCompanionParams
	RouteCompanionCreate   = contract.RouteCompanionCreate
	RouteCompanionUpload   = contract.RouteCompanionUpload
	RouteCompanionBatch    = contract.RouteCompanionBatch
	RouteCompanionPart     = contract.RouteCompanionPart
	RouteCompanionComplete = contract.RouteCompanionComplete
)

// CompanionRoutes are the methods and resource paths of the Companion
// routes (contract.CompanionRoutes): a new slice on each call.
func CompanionRoutes() [][2]string { return contract.CompanionRoutes() }

// ValidPrefix reports whether p is a key prefix the handler accepts
// (contract.ValidPrefix).
func ValidPrefix(p string) bool { return contract.ValidPrefix(p) }
