package io.github.grpcmiddleware.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.grpcmiddleware.internal.ClientHeaderHost;
import io.github.grpcmiddleware.internal.ClientHeaderPart;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which parts {@link ClientChainBuilder#fuseHeaderParts} folds into one call wrapper: only header
 * parts directly outside a host, in their order; anything between them keeps them apart.
 */
class HeaderPartFusionTest {

  @Test
  void aRunOfHeaderPartsRightOutsideAHostRunsInsideIt() {
    Header a = new Header("a");
    Header b = new Header("b");
    Host host = new Host("trace", new ArrayList<>());
    Plain outer = new Plain("metrics");

    ClientInterceptor[] fused =
        ClientChainBuilder.fuseHeaderParts(Arrays.asList(outer, a, b, host));

    assertThat(fused).hasSize(2);
    assertThat(fused[0]).isSameAs(outer);
    assertThat(fused[1]).isInstanceOf(Host.class);
    assertThat(((Host) fused[1]).outer).containsExactly("a", "b");
    assertThat(host.outer).as("the host itself is unchanged").isEmpty();
  }

  @Test
  void aPartBetweenKeepsThemApart() {
    Header a = new Header("a");
    Plain application = new Plain("app");
    Host host = new Host("trace", new ArrayList<>());

    ClientInterceptor[] fused =
        ClientChainBuilder.fuseHeaderParts(Arrays.asList(a, application, host));

    assertThat(fused).containsExactly(a, application, host);
  }

  @Test
  void onlyTheHeaderPartsNextToTheHostFuse() {
    Header a = new Header("a");
    Plain application = new Plain("app");
    Header b = new Header("b");
    Host host = new Host("trace", new ArrayList<>());

    ClientInterceptor[] fused =
        ClientChainBuilder.fuseHeaderParts(Arrays.asList(a, application, b, host));

    assertThat(fused).hasSize(3);
    assertThat(fused[0]).isSameAs(a);
    assertThat(fused[1]).isSameAs(application);
    assertThat(((Host) fused[2]).outer).containsExactly("b");
  }

  @Test
  void headerPartsWithoutAHostAfterThemStayAsTheyAre() {
    Host host = new Host("trace", new ArrayList<>());
    Header a = new Header("a");

    assertThat(ClientChainBuilder.fuseHeaderParts(Arrays.asList(host, a))).containsExactly(host, a);
    assertThat(ClientChainBuilder.fuseHeaderParts(Arrays.asList(a))).containsExactly(a);
    assertThat(ClientChainBuilder.fuseHeaderParts(new ArrayList<>())).isEmpty();
  }

  /** A plain part: it just passes the call on. */
  private static class Plain implements ClientInterceptor {
    final String name;

    Plain(String name) {
      this.name = name;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      return next.newCall(method, callOptions);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final class Header extends Plain implements ClientHeaderPart {
    Header(String name) {
      super(name);
    }

    @Override
    public void addHeaders(Metadata headers) {}
  }

  private static final class Host extends Plain implements ClientHeaderHost {
    final List<String> outer;

    Host(String name, List<String> outer) {
      super(name);
      this.outer = outer;
    }

    @Override
    public ClientInterceptor withOuterHeaderParts(ClientHeaderPart[] parts) {
      List<String> all = new ArrayList<>();
      for (ClientHeaderPart part : parts) {
        all.add(part.toString());
      }
      all.addAll(outer);
      return new Host(name, all);
    }
  }
}
