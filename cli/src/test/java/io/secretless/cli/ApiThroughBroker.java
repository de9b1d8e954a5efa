package io.secretless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.broker.Broker;
import io.secretless.config.ListenAddress;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.audit.AuditQuery;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the warehouse cache ITs share: curl through a broker's HTTP service {@code api} to the test
 * nginx, the broker's request outcomes, and what the warehouse audited.
 */
final class ApiThroughBroker {
  private ApiThroughBroker() {}

  static int port(Broker broker) {
    return ((ListenAddress.Tcp) broker.address("api")).port();
  }

  /**
   * curl through the broker (a new connection) to nginx's {@code path}, the last argument; the
   * others are curl options.
   */
  static String curl(Broker broker, int nginx, String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "-x";
    all[1] = "http://127.0.0.1:" + port(broker);
    System.arraycopy(args, 0, all, 2, args.length);
    all[all.length - 1] = "http://127.0.0.1:" + nginx + args[args.length - 1];
    return WarehouseTokenHttpIT.curl(all);
  }

  /** The broker's count of requests to {@code api} that ended in {@code outcome}. */
  static long requests(Broker broker, String outcome) {
    Matcher m =
        Pattern.compile(
                "secretless_http_requests_total\\{outcome=\""
                    + outcome
                    + "\",service=\"api\"} (\\d+)\\.0")
            .matcher(broker.scrapeMetrics());
    assertThat(m.find()).as(outcome).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** How many records of {@code action} the warehouse's audit log holds (of the newest 10,000). */
  static long audited(WarehouseNode node, String action) {
    return node.audit().query(AuditQuery.all(10_000)).stream()
        .filter(r -> r.action().equals(action))
        .count();
  }
}
