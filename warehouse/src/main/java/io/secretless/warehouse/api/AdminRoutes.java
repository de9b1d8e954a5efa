package io.secretless.warehouse.api;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.CredentialType;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.audit.AuditEvent;
import io.secretless.warehouse.audit.AuditEvent.Outcome;
import io.secretless.warehouse.audit.AuditQuery;
import io.secretless.warehouse.audit.AuditRecord;
import io.secretless.warehouse.token.ClientRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Expiring, statistics, types, audit, agents, keys, health and the OpenAPI document. */
final class AdminRoutes {
  private final WarehouseNode node;
  private final Authenticator auth;
  private final String openApi;

  AdminRoutes(WarehouseNode node, Authenticator auth) {
    this.node = node;
    this.auth = auth;
    try (InputStream in = AdminRoutes.class.getResourceAsStream("openapi.json")) {
      this.openApi = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("openapi.json missing from the warehouse jar", e);
    }
  }

  void register(Router app) {
    app.get("/v1/health", this::health);
    app.get("/v1/openapi.json", ctx -> ctx.result("application/json", openApi));
    app.get("/v1/expiring", this::expiring);
    app.get("/v1/stats", this::stats);
    app.get("/v1/types", this::types);
    app.get("/v1/audit", this::audit);
    app.get("/v1/audit/verify", this::verify);
    app.post("/v1/agents", this::createAgent);
    app.get("/v1/agents", this::agents);
    app.post("/v1/keys/rotate", ctx -> keys(ctx, false));
    app.post("/v1/keys/rewrap", ctx -> keys(ctx, true));
  }

  private void health(Exchange ctx) {
    boolean up = node.database().healthy();
    var out = new LinkedHashMap<String, Object>();
    out.put("status", up ? "ok" : "unavailable");
    out.put("store", node.database().dialect().name().toLowerCase(java.util.Locale.ROOT));
    out.put("key_encryption_keys", node.keys().size());
    ctx.status(up ? 200 : 503).json(out);
  }

  private void expiring(Exchange ctx) {
    Caller caller = auth.caller(ctx, "expiring");
    int days = intParam(ctx, "days", 30);
    var found = node.reports().expiring(caller, days);
    ctx.json(Map.of("days", days, "credentials", found.stream().map(JsonViews::expiring).toList()));
  }

  private void stats(Exchange ctx) {
    Caller caller = auth.caller(ctx, "stats");
    ctx.json(JsonViews.statistics(node.reports().statistics(caller)));
  }

  private void types(Exchange ctx) {
    auth.caller(ctx, "types");
    List<Map<String, Object>> out =
        node.warehouse().types().all().stream().map(AdminRoutes::type).toList();
    ctx.json(Map.of("types", out));
  }

  private static Map<String, Object> type(CredentialType t) {
    var m = new LinkedHashMap<String, Object>();
    m.put("name", t.name());
    m.put("required_fields", t.requiredFields());
    m.put("rotation_interval_days", t.rotationInterval().toDays());
    m.put("default_tags", t.defaultTags());
    return m;
  }

  private void audit(Exchange ctx) {
    Caller caller = auth.caller(ctx, "audit_read");
    Optional<String> agent = ctx.queryParam("agent");
    if (!caller.isAdmin()) {
      if (agent.isPresent() && !agent.get().equals(caller.agentId())) {
        throw refuse(caller, "audit_read", "only admins may read other agents' audit records");
      }
      agent = Optional.of(caller.agentId());
    }
    var q =
        new AuditQuery(
            ctx.queryParam("credential"),
            agent,
            timeParam(ctx, "since"),
            timeParam(ctx, "until"),
            intParam(ctx, "limit", 100));
    List<AuditRecord> records = node.audit().query(q);
    record(caller, "audit_read", Outcome.SUCCESS, records.size() + " records");
    ctx.json(Map.of("records", records.stream().map(JsonViews::audit).toList()));
  }

  private void verify(Exchange ctx) {
    Caller caller = requireAdmin(ctx, "audit_verify");
    var v = node.audit().verify();
    record(
        caller,
        "audit_verify",
        v.valid() ? Outcome.SUCCESS : Outcome.INTEGRITY_ERROR,
        v.valid() ? v.records() + " records" : v.problem());
    var out = new LinkedHashMap<String, Object>();
    out.put("valid", v.valid());
    out.put("records", v.records());
    if (!v.valid()) {
      out.put("first_broken_seq", v.firstBrokenSeq());
      out.put("problem", v.problem());
    }
    ctx.json(out);
  }

  private void createAgent(Exchange ctx) {
    Caller caller = requireAdmin(ctx, "agent_create");
    var body = RequestBody.parse(ctx.body());
    String name = body.requiredText("name");
    ClientRegistry.Registration reg;
    try {
      reg = node.clients().create(name, new LinkedHashSet<>(body.strings("roles")));
    } catch (WarehouseException e) {
      record(caller, "agent_create", Outcome.INVALID, e.getMessage());
      throw e;
    }
    record(
        caller, "agent_create", Outcome.SUCCESS, "agent " + name + " roles " + reg.agent().roles());
    var out = JsonViews.agent(reg.agent());
    out.put("client_id", reg.agent().id());
    out.put("client_secret", reg.clientSecret().revealString());
    ctx.status(201).header("Cache-Control", "no-store").json(out);
  }

  private void agents(Exchange ctx) {
    Caller caller = requireAdmin(ctx, "agent_list");
    var all = node.clients().all();
    record(caller, "agent_list", Outcome.SUCCESS, all.size() + " agents");
    ctx.json(Map.of("agents", all.stream().map(JsonViews::agent).toList()));
  }

  private void keys(Exchange ctx, boolean rewrap) {
    Caller caller = auth.caller(ctx, rewrap ? "rewrap" : "rotate_key");
    var result = rewrap ? node.rekeying().rewrap(caller) : node.rekeying().rotateKey(caller);
    ctx.json(
        Map.of(
            "primary_key_id", Integer.toUnsignedLong(result.primaryKeyId()),
            "keys", result.keys(),
            "rewrapped", result.rewrapped()));
  }

  private Caller requireAdmin(Exchange ctx, String action) {
    Caller caller = auth.caller(ctx, action);
    if (!caller.isAdmin()) {
      throw refuse(caller, action, action + " requires the admin role");
    }
    return caller;
  }

  private WarehouseException refuse(Caller caller, String action, String message) {
    record(caller, action, Outcome.DENIED, message);
    return WarehouseException.forbidden(message);
  }

  private void record(Caller caller, String action, Outcome outcome, String reason) {
    node.audit()
        .record(
            new AuditEvent(
                caller.agentId(),
                action,
                "*",
                outcome,
                reason,
                caller.source(),
                caller.userAgent()));
  }

  private static int intParam(Exchange ctx, String name, int fallback) {
    String v = ctx.queryParam(name).orElse(null);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw WarehouseException.badRequest("query parameter " + name + " must be an integer");
    }
  }

  private static Optional<Long> timeParam(Exchange ctx, String name) {
    String v = ctx.queryParam(name).orElse(null);
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(v).toEpochMilli());
    } catch (DateTimeParseException e) {
      throw WarehouseException.badRequest(
          name + " must be an ISO-8601 instant, e.g. 2030-01-01T00:00:00Z");
    }
  }
}
