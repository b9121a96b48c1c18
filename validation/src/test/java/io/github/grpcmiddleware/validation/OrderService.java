package io.github.grpcmiddleware.validation;

import io.github.grpcmiddleware.validation.proto.BrokenRule;
import io.github.grpcmiddleware.validation.proto.Division;
import io.github.grpcmiddleware.validation.proto.Order;
import io.github.grpcmiddleware.validation.proto.OrderReply;
import io.github.grpcmiddleware.validation.proto.OrderServiceGrpc;
import io.github.grpcmiddleware.validation.proto.Plain;
import io.github.grpcmiddleware.validation.proto.UploadReply;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every message it receives; replies with the order's name, or an empty (invalid) reply for
 * the order named {@code bad-reply}.
 */
final class OrderService extends OrderServiceGrpc.OrderServiceImplBase {
  final List<Object> received = new CopyOnWriteArrayList<>();

  private static OrderReply reply(Order order) {
    String name = order.getName().equals("bad-reply") ? "" : order.getName();
    return OrderReply.newBuilder().setName(name).build();
  }

  @Override
  public void placeOrder(Order request, StreamObserver<OrderReply> out) {
    received.add(request);
    out.onNext(reply(request));
    out.onCompleted();
  }

  @Override
  public void watchOrders(Order request, StreamObserver<OrderReply> out) {
    received.add(request);
    out.onNext(OrderReply.newBuilder().setName("first").build());
    out.onNext(reply(request));
    out.onCompleted();
  }

  @Override
  public StreamObserver<Order> uploadOrders(StreamObserver<UploadReply> out) {
    return new StreamObserver<Order>() {
      private int count;

      @Override
      public void onNext(Order order) {
        received.add(order);
        count++;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onNext(UploadReply.newBuilder().setReceived(count).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<Order> syncOrders(StreamObserver<OrderReply> out) {
    return new StreamObserver<Order>() {
      @Override
      public void onNext(Order order) {
        received.add(order);
        out.onNext(reply(order));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  @Override
  public void echo(Plain request, StreamObserver<Plain> out) {
    received.add(request);
    out.onNext(request);
    out.onCompleted();
  }

  @Override
  public void broken(BrokenRule request, StreamObserver<Plain> out) {
    received.add(request);
    out.onNext(Plain.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void divide(Division request, StreamObserver<Plain> out) {
    received.add(request);
    out.onNext(Plain.getDefaultInstance());
    out.onCompleted();
  }
}
