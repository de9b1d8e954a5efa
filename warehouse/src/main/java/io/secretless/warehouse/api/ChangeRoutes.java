package io.secretless.warehouse.api;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.Change;
import io.secretless.warehouse.ChangeFeed;
import io.secretless.warehouse.ChangePage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/changes?after=SEQ&wait=30s}: the change feed ({@link ChangeFeed}), long-polled. A
 * held poll keeps its connection busy, so the read timeout does not close it; {@link #stop} answers
 * every held poll at once (empty) when the server stops.
 */
final class ChangeRoutes {
  private final ChangeFeed feed;
  private final Authenticator auth;
  private volatile boolean stopping;

  ChangeRoutes(ChangeFeed feed, Authenticator auth) {
    this.feed = feed;
    this.auth = auth;
  }

  void register(Router app) {
    app.get("/v1/changes", this::changes);
  }

  private void changes(Exchange ctx) {
    Caller caller = auth.caller(ctx, "changes");
    FeedQuery q = FeedQuery.parse(ctx.queryParam("after"), ctx.queryParam("wait"));
    ChangePage page = feed.poll(caller, q.after(), q.waitFor(), () -> stopping);
    var out = new LinkedHashMap<String, Object>();
    out.put("next", page.next());
    out.put("changes", page.changes().stream().map(ChangeRoutes::change).toList());
    ctx.header("Cache-Control", "no-store").json(out);
  }

  private static Map<String, Object> change(Change c) {
    var m = new LinkedHashMap<String, Object>();
    m.put("seq", c.seq());
    m.put("id", c.credentialId());
    m.put("action", c.action());
    return m;
  }

  /** Held polls answer now; polls that arrive later answer without waiting. */
  void stop() {
    stopping = true;
    feed.wakeAll();
  }
}
