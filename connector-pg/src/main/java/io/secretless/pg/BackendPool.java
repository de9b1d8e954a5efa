package io.secretless.pg;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.EventExecutor;
import io.secretless.pg.message.Terminate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authenticated backend connections of one service, kept between clients (a session pool, like
 * pgbouncer's {@code pool_mode = session}). A client whose session ends idle gives its backend back
 * ({@link #reclaim}); the backend is reset ({@link BackendReset}) and parked; the next client whose
 * login would be identical ({@link #key}) gets it instead of a new login, preferably one parked on
 * the client's own event loop. Anything doubtful closes the backend instead.
 *
 * <p>Threads: the idle lists are guarded by this object's lock; whoever removes a backend from them
 * owns it (the taker, its expiry, its watch, or {@link #close}).
 */
final class BackendPool implements AutoCloseable {
  private static final Duration RESET_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(2);
  static final List<String> DISCARD_REASONS =
      List.of(
          "client_not_idle",
          "reset_failed",
          "backend_closed",
          "unexpected_message",
          "idle_timeout",
          "max_lifetime",
          "pool_full",
          "shutdown");

  private final PoolSettings settings;
  private final PoolKeys keys = new PoolKeys();
  private final Map<String, ArrayDeque<PooledBackend>> idle = new HashMap<>(); // guarded by this
  private final AtomicInteger idleCount = new AtomicInteger();

  /** Backends between their client's end and the reset's end: closed too at shutdown. */
  private final Set<PooledBackend> resetting = new HashSet<>(); // guarded by this

  private final Counter reused;
  private final Map<String, Counter> discarded = new HashMap<>();
  private boolean closed; // guarded by this

  BackendPool(String service, PoolSettings settings, MeterRegistry meters) {
    this.settings = settings;
    Gauge.builder("secretless.pg.pool.idle", idleCount, AtomicInteger::get)
        .description("Authenticated backend connections parked for reuse")
        .tag("service", service)
        .register(meters);
    reused =
        Counter.builder("secretless.pg.pool.reused")
            .description("Client connections served by a parked backend instead of a new login")
            .tag("service", service)
            .register(meters);
    for (String reason : DISCARD_REASONS) {
      discarded.put(
          reason,
          Counter.builder("secretless.pg.pool.discarded")
              .description("Backend connections closed instead of pooled or reused, by reason")
              .tags("service", service, "reason", reason)
              .register(meters));
    }
  }

  /** Which backends a login may reuse: see {@link PoolKeys#key}. */
  String key(BackendSettings s, Map<String, String> startupParameters) {
    return keys.key(s, startupParameters);
  }

  /**
   * A parked backend for {@code key}: the most recently parked one on {@code loop} (the client's)
   * if there is one, else the most recently parked one of another loop. A backend of another loop
   * stays on its own loop: every change to its pipeline is made there (see {@link #reclaim} and
   * {@link PgHandshake#relay}), and the relay between the two loops is the broker's.
   */
  Optional<PooledBackend> take(EventExecutor loop, String key) {
    for (int tries = 0; tries <= settings.maxIdle(); tries++) {
      PooledBackend b = takeParked(loop, key);
      if (b == null) {
        return Optional.empty();
      }
      removeWatch(b);
      if (!b.channel().isActive()) {
        close(b, "backend_closed");
      } else if (b.ageNanos() >= settings.maxLifetime().toNanos()) {
        terminate(b, "max_lifetime");
      } else {
        reused.increment();
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  private synchronized PooledBackend takeParked(EventExecutor loop, String key) {
    ArrayDeque<PooledBackend> queue = idle.get(key);
    if (closed || queue == null || queue.isEmpty()) {
      return null;
    }
    PooledBackend found = null;
    for (Iterator<PooledBackend> it = queue.descendingIterator(); it.hasNext(); ) {
      PooledBackend b = it.next();
      if (b.channel().eventLoop() == loop) {
        found = b;
        it.remove();
        break;
      }
    }
    if (found == null) {
      found = queue.pollLast(); // another loop's: still far cheaper than a new login
    }
    idleCount.decrementAndGet();
    found.cancelExpiry();
    return found;
  }

  /**
   * The client of {@code backend} has ended (the relay asks, on the event loop). Keeps the backend
   * only when {@code state} shows it idle with nothing in flight, then resets it.
   */
  boolean reclaim(PooledBackend backend, SessionState state) {
    if (isClosed()) {
      return false;
    }
    if (!state.idle()) {
      discarded.get("client_not_idle").increment();
      return false;
    }
    if (backend.ageNanos() >= settings.maxLifetime().toNanos()) {
      terminate(backend, "max_lifetime");
      return true;
    }
    synchronized (this) {
      if (closed) {
        return false;
      }
      resetting.add(backend);
    }
    Channel channel = backend.channel();
    if (channel.eventLoop().inEventLoop()) {
      startReset(backend);
    } else {
      channel.eventLoop().execute(() -> startReset(backend)); // the client's loop is another
    }
    return true;
  }

  /**
   * On the backend's loop: the reset takes the place of the session's scanner, in front of the
   * broker's relay, so its answer never reaches the relay even if the broker removes the relay only
   * after the reset started.
   */
  private void startReset(PooledBackend backend) {
    ChannelPipeline pipeline = backend.channel().pipeline();
    BackendReset reset = new BackendReset(this, backend, settings.resetQuery(), RESET_TIMEOUT);
    if (pipeline.get(PgHandshake.BACKEND_SCANNER) != null) {
      pipeline.replace(PgHandshake.BACKEND_SCANNER, BackendReset.NAME, reset);
    } else {
      pipeline.addLast(BackendReset.NAME, reset);
    }
  }

  /** The reset succeeded: keep the backend for the next client, unless the pool is full. */
  void park(PooledBackend b) {
    resetDone(b);
    Channel channel = b.channel();
    if (!channel.isActive()) {
      close(b, "backend_closed");
      return;
    }
    // The watch goes in before the backend is visible to other loops' takers: added after, it
    // could land behind the relay of a client that took the backend meanwhile and swallow that
    // client's answers (the cross-loop stall, reproduced with bench-style pgbench -C churn).
    channel.pipeline().addLast(IdleBackendWatch.NAME, new IdleBackendWatch(this, b));
    String refused = null;
    synchronized (this) {
      if (closed) {
        refused = "shutdown";
      } else if (idleCount.get() >= settings.maxIdle()) {
        refused = "pool_full";
      } else {
        idle.computeIfAbsent(b.key(), k -> new ArrayDeque<>()).addLast(b);
        idleCount.incrementAndGet();
        long idleNanos = settings.idleTimeout().toNanos();
        long lifeLeft = Math.max(0, settings.maxLifetime().toNanos() - b.ageNanos());
        String reason = lifeLeft < idleNanos ? "max_lifetime" : "idle_timeout";
        b.expiry(
            channel
                .eventLoop()
                .schedule(
                    () -> expire(b, reason), Math.min(idleNanos, lifeLeft), TimeUnit.NANOSECONDS));
      }
    }
    if (refused != null) {
      removeWatch(b);
      terminate(b, refused);
    }
  }

  /** The reset failed or the backend went away during it. */
  void discard(PooledBackend b, String reason) {
    resetDone(b);
    if (reason.equals("backend_closed")) {
      close(b, reason);
    } else {
      terminate(b, reason);
    }
  }

  private synchronized void resetDone(PooledBackend b) {
    resetting.remove(b);
  }

  /** A parked backend closed or spoke: drop it. */
  void dropParked(PooledBackend b, String reason) {
    if (unpark(b)) {
      close(b, reason);
    }
  }

  private void expire(PooledBackend b, String reason) {
    if (unpark(b)) {
      terminate(b, reason);
    }
  }

  /** Takes {@code b} out of the idle lists; false when someone else already did. */
  private boolean unpark(PooledBackend b) {
    synchronized (this) {
      ArrayDeque<PooledBackend> queue = idle.get(b.key());
      if (queue == null || !queue.remove(b)) {
        return false;
      }
      idleCount.decrementAndGet();
      b.cancelExpiry();
    }
    removeWatch(b);
    return true;
  }

  private static void removeWatch(PooledBackend b) {
    ChannelPipeline pipeline = b.channel().pipeline();
    if (pipeline.get(IdleBackendWatch.NAME) != null) {
      try {
        pipeline.remove(IdleBackendWatch.NAME);
      } catch (java.util.NoSuchElementException e) {
        // removed meanwhile on its own loop
      }
    }
  }

  /** Closes politely: Terminate first, so PostgreSQL logs no unexpected EOF. */
  private void terminate(PooledBackend b, String reason) {
    discarded.get(reason).increment();
    Channel channel = b.channel();
    if (channel.isActive()) {
      channel
          .writeAndFlush(PgHandshake.encode(channel, new Terminate()))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  private void close(PooledBackend b, String reason) {
    discarded.get(reason).increment();
    b.channel().close();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  int idleCount() {
    return idleCount.get();
  }

  /**
   * Broker shutdown: every parked backend gets a Terminate and is closed, and so is every backend
   * still being reset (waits up to 2 s).
   */
  @Override
  public void close() {
    List<PooledBackend> closing = new ArrayList<>();
    List<PooledBackend> inReset;
    synchronized (this) {
      closed = true;
      idle.values().forEach(closing::addAll);
      idle.clear();
      idleCount.set(0);
      closing.forEach(PooledBackend::cancelExpiry);
      inReset = List.copyOf(resetting);
      resetting.clear();
    }
    closing.forEach(b -> terminate(b, "shutdown"));
    inReset.forEach(b -> b.channel().close());
    closing.addAll(inReset);
    long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
    for (PooledBackend b : closing) {
      if (!b.channel().eventLoop().inEventLoop()) {
        b.channel()
            .closeFuture()
            .awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    }
  }
}
