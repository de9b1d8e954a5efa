package io.secretless.cli;

import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigLoader;
import io.secretless.config.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starting a broker from the command line and stopping it gracefully on SIGTERM or SIGINT: stop
 * accepting, let open connections finish for the grace period, exit 0.
 */
final class BrokerRun {
  private static final Logger log = LoggerFactory.getLogger(BrokerRun.class);

  private final Broker broker;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private BrokerRun(Broker broker) {
    this.broker = broker;
  }

  static BrokerRun start(Path file, Optional<ListenAddress.Tcp> admin, Duration grace) {
    BrokerConfig config = ConfigLoader.load(file);
    config.warnings().forEach(w -> log.warn("{}", w));
    BrokerOptions options =
        BrokerOptions.defaults().withAdminAddress(admin).withShutdownGrace(grace);
    Broker broker = Broker.start(config, options);
    broker
        .adminAddress()
        .ifPresent(
            a ->
                log.info(
                    "admin endpoints on http://{}:{}/ (live, ready, metrics)", a.host(), a.port()));
    log.info(
        "broker started with {} service(s) from {} on {} I/O thread(s)",
        config.services().size(),
        file,
        options.eventLoopThreads());
    return new BrokerRun(broker);
  }

  Broker broker() {
    return broker;
  }

  /** Installs SIGTERM/SIGINT handlers that run {@code onSignal} and then a graceful stop. */
  void stopOnSignals(Runnable onSignal) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            log.info("received SIG{}: stopping", name);
            onSignal.run();
            stop();
          });
    }
  }

  /** Graceful stop; idempotent. */
  synchronized void stop() {
    if (stopped.getCount() == 0) {
      return;
    }
    broker.shutdown();
    log.info("broker stopped");
    stopped.countDown();
  }

  void awaitStop() throws InterruptedException {
    stopped.await();
  }
}
