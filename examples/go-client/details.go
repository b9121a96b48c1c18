package main

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// details are the google.rpc details of a failed call, decoded by grpc-go's status package from
// grpc-status-details-bin into genproto's errdetails types.
type details struct {
	localized  *errdetails.LocalizedMessage
	badRequest *errdetails.BadRequest
	errorInfo  *errdetails.ErrorInfo
	retryInfo  *errdetails.RetryInfo
	quota      *errdetails.QuotaFailure
	others     []string
}

func decode(err error) details {
	var d details
	st, ok := status.FromError(err)
	if !ok {
		return d
	}
	for _, detail := range st.Details() {
		switch v := detail.(type) {
		case *errdetails.LocalizedMessage:
			d.localized = v
		case *errdetails.BadRequest:
			d.badRequest = v
		case *errdetails.ErrorInfo:
			d.errorInfo = v
		case *errdetails.RetryInfo:
			d.retryInfo = v
		case *errdetails.QuotaFailure:
			d.quota = v
		default:
			d.others = append(d.others, fmt.Sprintf("%T %v", v, v))
		}
	}
	return d
}

// violations is "field: description | ..." of a BadRequest, or "" without one.
func (d details) violations() string {
	if d.badRequest == nil {
		return ""
	}
	parts := make([]string, 0, len(d.badRequest.GetFieldViolations()))
	for _, v := range d.badRequest.GetFieldViolations() {
		parts = append(parts, v.GetField()+": "+v.GetDescription())
	}
	return strings.Join(parts, " | ")
}

// retryMillis is RetryInfo's delay in milliseconds, or -1 without one.
func (d details) retryMillis() int64 {
	if d.retryInfo == nil || d.retryInfo.GetRetryDelay() == nil {
		return -1
	}
	delay := d.retryInfo.GetRetryDelay()
	return delay.GetSeconds()*1000 + int64(delay.GetNanos())/1000000
}

// String is what a user sees of the details, one per line.
func (d details) String() string {
	var lines []string
	if d.localized != nil {
		lines = append(lines, fmt.Sprintf("    LocalizedMessage [%s] %s", d.localized.GetLocale(), d.localized.GetMessage()))
	}
	if v := d.violations(); v != "" {
		lines = append(lines, "    BadRequest "+v)
	}
	if d.errorInfo != nil {
		lines = append(lines, fmt.Sprintf("    ErrorInfo %s (%s) %v", d.errorInfo.GetReason(), d.errorInfo.GetDomain(), d.errorInfo.GetMetadata()))
	}
	if ms := d.retryMillis(); ms >= 0 {
		lines = append(lines, fmt.Sprintf("    RetryInfo retry in %d ms", ms))
	}
	if d.quota != nil {
		for _, v := range d.quota.GetViolations() {
			lines = append(lines, fmt.Sprintf("    QuotaFailure %s: %s", v.GetSubject(), v.GetDescription()))
		}
	}
	for _, other := range d.others {
		lines = append(lines, "    "+other)
	}
	return strings.Join(lines, "\n")
}

// first is the first value of key in any of the metadata, or "".
func first(key string, mds ...metadata.MD) string {
	for _, md := range mds {
		if values := md.Get(key); len(values) > 0 {
			return values[0]
		}
	}
	return ""
}

// hasHan reports whether s has a CJK ideograph: text written in Chinese.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
