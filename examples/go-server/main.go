// Command go-server is the Go downstream service of the examples: a grpc-go server of
// guestbook.proto that the Java example server calls from Greeter.SayHello when started with
// --downstream HOST:PORT, so one call crosses Node.js or Go -> Java -> Go.
//
//	go-server [--port 0] [--refuse mallory,eve]
//
// It reads the caller's traceparent with OpenTelemetry Go's W3C propagator, starts its own SERVER
// span under it (OpenTelemetry Go SDK, not exported: Debian's OpenTelemetry Go packages export only
// to Jaeger and stdout) and logs one line per call with the trace id, the parent span id it received
// (the Java CLIENT span) and its own span id. A refused name is PERMISSION_DENIED with
// google.rpc.ErrorInfo and LocalizedMessage details, so the Java side shows ErrorReport and error
// mapping's translateDownstream on a Go error. Every response carries x-trace-id, as the Java
// chain's do.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "grpcmiddleware.example/gen/guestbookpb"
)

// metadataCarrier lets the W3C propagator read gRPC request metadata.
type metadataCarrier metadata.MD

func (c metadataCarrier) Get(key string) string {
	values := metadata.MD(c).Get(key)
	if len(values) == 0 {
		return ""
	}
	// W3C: repeated tracestate headers are one list.
	return strings.Join(values, ",")
}

func (c metadataCarrier) Set(key, value string) { metadata.MD(c).Set(key, value) }

func (c metadataCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

type guestbook struct {
	pb.UnimplementedGuestbookServer
	tracer  trace.Tracer
	refused map[string]bool
	entries int64
}

func (g *guestbook) Sign(ctx context.Context, req *pb.SignRequest) (*pb.SignResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	ctx = propagation.TraceContext{}.Extract(ctx, metadataCarrier(md))
	parent := trace.SpanContextFromContext(ctx)
	ctx, span := g.tracer.Start(ctx, "guestbook.Guestbook/Sign", trace.WithSpanKind(trace.SpanKindServer))
	defer span.End()
	ids := span.SpanContext()
	traceID := ids.TraceID().String()
	_ = grpc.SetTrailer(ctx, metadata.Pairs("x-trace-id", traceID))

	var reply *pb.SignResponse
	var err error
	if g.refused[strings.ToLower(req.GetName())] {
		err = refusal(req.GetName())
	} else {
		reply = &pb.SignResponse{Entry: atomic.AddInt64(&g.entries, 1)}
	}
	parentID := "-"
	if parent.IsRemote() && parent.IsValid() {
		parentID = parent.SpanID().String()
	}
	log.Printf("go-server guestbook.Guestbook/Sign trace_id=%s parent_span_id=%s span_id=%s sampled=%t name=%q code=%s",
		traceID, parentID, ids.SpanID().String(), ids.IsSampled(), req.GetName(), status.Code(err))
	return reply, err
}

// refusal is PERMISSION_DENIED with the details a Java, Go or Node.js client decodes.
func refusal(name string) error {
	text := fmt.Sprintf("%s may not sign the guestbook", name)
	st, err := status.New(codes.PermissionDenied, text).WithDetails(
		&errdetails.ErrorInfo{
			Reason:   "GUEST_REFUSED",
			Domain:   "guestbook.example",
			Metadata: map[string]string{"name": name},
		},
		&errdetails.LocalizedMessage{Locale: "en-US", Message: text},
	)
	if err != nil {
		return status.Error(codes.PermissionDenied, text)
	}
	return st.Err()
}

func main() {
	port := flag.Int("port", 50052, "port on 127.0.0.1; 0 picks a free one")
	refuse := flag.String("refuse", "mallory", "comma-separated names refused with PERMISSION_DENIED")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetOutput(os.Stdout)

	refused := map[string]bool{}
	for _, name := range strings.Split(*refuse, ",") {
		if name = strings.TrimSpace(name); name != "" {
			refused[strings.ToLower(name)] = true
		}
	}
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatalf("go-server: %v", err)
	}
	provider := sdktrace.NewTracerProvider()
	server := grpc.NewServer()
	pb.RegisterGuestbookServer(server, &guestbook{tracer: provider.Tracer("example-go-server"), refused: refused})

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		server.GracefulStop()
	}()
	log.Printf("go-server listening on %s", listener.Addr())
	if err := server.Serve(listener); err != nil {
		log.Fatalf("go-server: %v", err)
	}
	_ = provider.Shutdown(context.Background())
}
