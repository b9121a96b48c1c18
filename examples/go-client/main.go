// Command go-client is the Go client of the example services (grpc-go, built from example.proto
// with Debian's packages by ../go-build.sh). Like the Node.js client it speaks only the wire
// conventions: authorization, accept-language, traceparent, x-trace-id and google.rpc details in
// grpc-status-details-bin.
//
//	go-client [--target 127.0.0.1:50051] [--token demo-token] [--lang zh-CN] [--check]
//
// It calls all four RPC kinds of UserService with a bearer token and accept-language (zh-CN by
// default), and Greeter.SayHello inside an OpenTelemetry Go CLIENT span whose context the W3C
// propagator sends in traceparent. Errors are decoded with genproto's errdetails
// (LocalizedMessage, BadRequest, ErrorInfo, RetryInfo, QuotaFailure). Without --check it prints
// what a user sees; with --check it prints a PASS or FAIL line per promise of the example contract
// and exits 1 when one failed. Either way it prints the Go span's ids first.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "grpcmiddleware.example/gen/examplepb"
)

var (
	target = flag.String("target", "127.0.0.1:50051", "host:port of the example server")
	token  = flag.String("token", envOr("DEMO_TOKEN", "demo-token"), "bearer token for UserService")
	lang   = flag.String("lang", "zh-CN", "accept-language of every call")
	check  = flag.Bool("check", false, "print PASS/FAIL per promise and exit 1 on a failure")

	failures int
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// expect prints PASS or FAIL for one promise (with --check) and counts failures.
func expect(ok bool, what string, got interface{}) {
	if !*check {
		return
	}
	if ok {
		fmt.Println("PASS " + what)
		return
	}
	failures++
	fmt.Printf("FAIL %s (got: %v)\n", what, got)
}

// show prints what a user sees of a call (without --check).
func show(label string, err error, ok string) {
	if *check {
		return
	}
	if err == nil {
		fmt.Printf("%s: OK %s\n", label, ok)
		return
	}
	st := status.Convert(err)
	fmt.Printf("%s: %s %q\n", label, st.Code(), st.Message())
	if d := decode(err).String(); d != "" {
		fmt.Println(d)
	}
}

// callContext carries the bearer token (when given), accept-language and the extra pairs.
func callContext(withToken bool, pairs ...string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	md := metadata.Pairs("accept-language", *lang)
	if withToken {
		md.Set("authorization", "Bearer "+*token)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		md.Set(pairs[i], pairs[i+1])
	}
	return metadata.NewOutgoingContext(ctx, md), cancel
}

func main() {
	flag.Parse()
	conn, err := grpc.Dial(*target, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-client:", err)
		os.Exit(2)
	}
	defer conn.Close()
	provider := sdktrace.NewTracerProvider()
	defer provider.Shutdown(context.Background())
	tracer := provider.Tracer("example-go-client")

	sayHello(pb.NewGreeterClient(conn), tracer)
	users := pb.NewUserServiceClient(conn)
	unary(users, tracer)
	serverStreaming(users)
	clientStreaming(users)
	bidiStreaming(users)
	rateLimit(users)

	if *check {
		if failures > 0 {
			fmt.Printf("go client check: %d failed\n", failures)
			os.Exit(1)
		}
		fmt.Println("go client check: all passed")
	}
}

// traced starts a CLIENT span and returns the traceparent pairs that continue it.
func traced(tracer trace.Tracer, name string) (trace.Span, []string) {
	ctx, span := tracer.Start(context.Background(), name, trace.WithSpanKind(trace.SpanKindClient))
	carrier := propagation.HeaderCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	return span, []string{"traceparent", carrier.Get("traceparent")}
}

func sayHello(greeter pb.GreeterClient, tracer trace.Tracer) {
	span, pairs := traced(tracer, "example.Greeter/SayHello")
	ids := span.SpanContext()
	ctx, cancel := callContext(false, pairs...)
	defer cancel()
	var header metadata.MD
	reply, err := greeter.SayHello(ctx, &pb.HelloRequest{Name: "Go"}, grpc.Header(&header))
	span.End()
	echoed := first("x-trace-id", header)
	fmt.Printf("go span name=example.Greeter/SayHello kind=CLIENT traceId=%s spanId=%s sampled=%t\n",
		ids.TraceID(), ids.SpanID(), ids.IsSampled())
	show("SayHello", err, fmt.Sprintf("%q x-trace-id %s", reply.GetMessage(), echoed))
	expect(err == nil && reply.GetMessage() == "Hello, Go!", "unary SayHello answers \"Hello, Go!\"", err)
	expect(echoed == ids.TraceID().String(), "x-trace-id echoes the trace id of the Go span's traceparent", echoed)
}

func unary(users pb.UserServiceClient, tracer trace.Tracer) {
	ctx, cancel := callContext(true)
	defer cancel()
	user, err := users.GetUser(ctx, &pb.UserRequest{Id: 1})
	show("GetUser(1)", err, user.String())
	expect(err == nil && user.GetId() == 1 && user.GetName() != "", "unary GetUser(1) with a bearer token returns user 1", err)

	var header, trailer metadata.MD
	_, err = users.GetUser(ctx, &pb.UserRequest{Id: 999}, grpc.Header(&header), grpc.Trailer(&trailer))
	show("GetUser(999)", err, "")
	d := decode(err)
	message := status.Convert(err).Message()
	expect(status.Code(err) == codes.NotFound, "GetUser(999) is NOT_FOUND", status.Code(err))
	expect(d.localized != nil && d.localized.GetLocale() == *lang && strings.Contains(d.localized.GetMessage(), "999"),
		fmt.Sprintf("LocalizedMessage decoded: [%s] %s", d.localized.GetLocale(), d.localized.GetMessage()), d.localized)
	expect(d.localized != nil && message == d.localized.GetMessage(), "the description is the localized text", message)
	expect(first("content-language", header, trailer) == *lang, "content-language is "+*lang, first("content-language", header, trailer))
	expect(*lang != "zh-CN" || hasHan(message), "the zh-CN description is written in Chinese", message)

	_, err = users.GetUser(ctx, &pb.UserRequest{Id: 0})
	show("GetUser(0)", err, "")
	d = decode(err)
	expect(status.Code(err) == codes.InvalidArgument, "GetUser(0) is INVALID_ARGUMENT", status.Code(err))
	expect(d.badRequest != nil && strings.HasPrefix(d.violations(), "id: "), "BadRequest decoded: "+d.violations(), d.badRequest)

	span, pairs := traced(tracer, "example.UserService/GetUser")
	span.End()
	traceID := span.SpanContext().TraceID().String()
	ctx500, cancel500 := callContext(true, pairs...)
	defer cancel500()
	_, err = users.GetUser(ctx500, &pb.UserRequest{Id: 500})
	show("GetUser(500)", err, "")
	message = status.Convert(err).Message()
	expect(status.Code(err) == codes.Internal, "GetUser(500) is INTERNAL", status.Code(err))
	expect(strings.Contains(message, traceID), "the INTERNAL description carries the trace id", message)
	expect(!regexp.MustCompile(`(?i)secret|exception|at io\.`).MatchString(message), "INTERNAL leaks no exception text", message)

	anonymous, cancelAnonymous := callContext(false)
	defer cancelAnonymous()
	_, err = users.GetUser(anonymous, &pb.UserRequest{Id: 1})
	show("GetUser(1) without a token", err, "")
	d = decode(err)
	expect(status.Code(err) == codes.Unauthenticated, "no token is UNAUTHENTICATED", status.Code(err))
	expect(d.localized != nil && d.localized.GetLocale() == *lang, "the rejection is localized ["+*lang+"]", d.localized)
}

func serverStreaming(users pb.UserServiceClient) {
	ctx, cancel := callContext(true)
	defer cancel()
	stream, err := users.ListUsers(ctx, &pb.ListUsersRequest{})
	var ids []string
	for err == nil {
		var user *pb.UserResponse
		if user, err = stream.Recv(); err == nil {
			ids = append(ids, fmt.Sprint(user.GetId()))
		}
	}
	if err == io.EOF {
		err = nil
	}
	show("ListUsers", err, strings.Join(ids, ","))
	expect(err == nil && strings.Join(ids, ",") == "1,2,3", "server streaming ListUsers streams users 1, 2, 3", ids)
}

func createUsers(users pb.UserServiceClient, requests ...*pb.CreateUserRequest) (*pb.CreateUsersResponse, error) {
	ctx, cancel := callContext(true)
	defer cancel()
	stream, err := users.CreateUsers(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range requests {
		if err := stream.Send(r); err != nil {
			break // the server closed the call: CloseAndRecv has its status
		}
	}
	return stream.CloseAndRecv()
}

func clientStreaming(users pb.UserServiceClient) {
	reply, err := createUsers(users,
		&pb.CreateUserRequest{Name: "ada", Email: "ada@example.com"},
		&pb.CreateUserRequest{Name: "bob", Email: "bob@example.com"})
	show("CreateUsers", err, reply.String())
	expect(err == nil && reply.GetCreated() == 2, "client streaming CreateUsers counts 2", err)

	_, err = createUsers(users,
		&pb.CreateUserRequest{Name: "ada", Email: "ada@example.com"},
		&pb.CreateUserRequest{Name: "", Email: "not-an-email"})
	show("CreateUsers(ada, \"\" <not-an-email>)", err, "")
	d := decode(err)
	expect(status.Code(err) == codes.InvalidArgument, "an invalid user is INVALID_ARGUMENT", status.Code(err))
	expect(d.badRequest != nil && len(d.badRequest.GetFieldViolations()) == 2,
		fmt.Sprintf("BadRequest decoded [%s]: %s", *lang, d.violations()), d.badRequest)
}

func bidiStreaming(users pb.UserServiceClient) {
	ctx, cancel := callContext(true)
	defer cancel()
	stream, err := users.Chat(ctx)
	var texts []string
	if err == nil {
		for _, text := range []string{"hello", "你好 🌏"} {
			if err = stream.Send(&pb.ChatMessage{Text: text}); err != nil {
				break
			}
		}
		_ = stream.CloseSend()
		for {
			var m *pb.ChatMessage
			if m, err = stream.Recv(); err != nil {
				break
			}
			texts = append(texts, m.GetText())
		}
		if err == io.EOF {
			err = nil
		}
	}
	show("Chat", err, strings.Join(texts, "|"))
	expect(err == nil && strings.Join(texts, "|") == "hello|你好 🌏", "bidi streaming Chat echoes each text", texts)
}

// rateLimit calls ExportUsers (2 calls a minute per caller) until it is refused, at most 3 times.
func rateLimit(users pb.UserServiceClient) {
	ctx, cancel := callContext(true)
	defer cancel()
	var err error
	for calls := 1; calls <= 3; calls++ {
		if _, err = users.ExportUsers(ctx, &pb.ExportUsersRequest{}); err != nil {
			break
		}
	}
	show("ExportUsers (third call)", err, "")
	d := decode(err)
	expect(status.Code(err) == codes.ResourceExhausted, "ExportUsers over the limit is RESOURCE_EXHAUSTED", status.Code(err))
	ms := d.retryMillis()
	expect(ms > 0 && ms <= 30000, fmt.Sprintf("RetryInfo decoded: retry in %d ms (0 < delay <= 30 s)", ms), d.retryInfo)
	quota := ""
	if d.quota != nil && len(d.quota.GetViolations()) == 1 {
		quota = d.quota.GetViolations()[0].GetSubject() + " " + d.quota.GetViolations()[0].GetDescription()
	}
	expect(strings.HasPrefix(quota, "principal:demo-user export-per-caller:"), "QuotaFailure decoded: "+quota, d.quota)
	expect(d.errorInfo != nil && d.errorInfo.GetReason() == "RATE_LIMIT_EXCEEDED" && d.errorInfo.GetMetadata()["limit"] == "export-per-caller",
		fmt.Sprintf("ErrorInfo decoded: %s limit=%s", d.errorInfo.GetReason(), d.errorInfo.GetMetadata()["limit"]), d.errorInfo)
	expect(d.localized != nil && d.localized.GetLocale() == *lang && status.Convert(err).Message() == d.localized.GetMessage(),
		"the limit message is localized ["+*lang+"]", d.localized)
}
