package io.secretless.warehouse.api;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.Credential;
import io.secretless.warehouse.Grant;
import io.secretless.warehouse.NewCredential;
import io.secretless.warehouse.Permission;
import io.secretless.warehouse.Revealed;
import io.secretless.warehouse.Rotation;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseNode;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/credentials}: store, list, retrieve, get-secret, rotate, delete, grant, revoke. */
final class CredentialRoutes {
  private final WarehouseNode node;
  private final Authenticator auth;

  CredentialRoutes(WarehouseNode node, Authenticator auth) {
    this.node = node;
    this.auth = auth;
  }

  void register(Router app) {
    app.post("/v1/credentials", this::store);
    app.get("/v1/credentials", this::list);
    app.get("/v1/credentials/{ref}", this::retrieve);
    app.get("/v1/credentials/{ref}/secret", this::secret);
    app.post("/v1/credentials/{ref}/rotate", this::rotate);
    app.delete("/v1/credentials/{ref}", this::delete);
    app.get("/v1/credentials/{ref}/grants", this::grants);
    app.post("/v1/credentials/{ref}/grants", this::grant);
    app.delete("/v1/credentials/{ref}/grants/{grantee}", this::revoke);
  }

  private void store(Exchange ctx) {
    Caller caller = auth.caller(ctx, "store");
    var body = RequestBody.parse(ctx.body());
    var req =
        new NewCredential(
            body.requiredText("name"),
            body.text("type"),
            body.fields("data"),
            body.strings("tags"),
            body.expiry(Instant.now()),
            body.integer("rotation_interval_days"));
    Credential stored = node.warehouse().store(caller, req);
    ctx.status(201).json(JsonViews.credential(stored));
  }

  private void list(Exchange ctx) {
    Caller caller = auth.caller(ctx, "list");
    List<String> tags = ctx.queryParams("tag");
    Optional<String> type = ctx.queryParam("type");
    List<Credential> found = node.warehouse().list(caller, tags, type);
    ctx.json(Map.of("credentials", found.stream().map(JsonViews::credential).toList()));
  }

  private void retrieve(Exchange ctx) {
    Caller caller = auth.caller(ctx, "retrieve");
    Revealed r = node.warehouse().retrieve(caller, ctx.pathParam("ref"));
    var out = JsonViews.credential(r.credential());
    out.put("data", r.data());
    ctx.header("Cache-Control", "no-store").json(out);
  }

  private void secret(Exchange ctx) {
    Caller caller = auth.caller(ctx, "get_secret");
    Revealed r = node.warehouse().secret(caller, ctx.pathParam("ref"));
    var out = new LinkedHashMap<String, Object>();
    out.put("id", r.credential().id()); // to match the change feed's ids
    out.put("name", r.credential().name());
    out.put("version", r.credential().version());
    if (r.data().size() == 1) {
      out.put("value", r.data().values().iterator().next());
    } else {
      out.put("data", r.data());
    }
    ctx.header("Cache-Control", "no-store").json(out);
  }

  private void rotate(Exchange ctx) {
    Caller caller = auth.caller(ctx, "rotate");
    var body = RequestBody.parse(ctx.body());
    var req =
        new Rotation(
            body.fields("data"), body.integer("expected_version"), body.expiry(Instant.now()));
    ctx.json(JsonViews.credential(node.warehouse().rotate(caller, ctx.pathParam("ref"), req)));
  }

  private void delete(Exchange ctx) {
    Caller caller = auth.caller(ctx, "delete");
    node.warehouse().delete(caller, ctx.pathParam("ref"));
    ctx.status(204);
  }

  private void grants(Exchange ctx) {
    Caller caller = auth.caller(ctx, "list_grants");
    List<Grant> grants = node.sharing().grants(caller, ctx.pathParam("ref"));
    ctx.json(Map.of("grants", grants.stream().map(JsonViews::grant).toList()));
  }

  private void grant(Exchange ctx) {
    Caller caller = auth.caller(ctx, "grant");
    var body = RequestBody.parse(ctx.body());
    String grantee = grantee(body);
    Set<Permission> perms = EnumSet.noneOf(Permission.class);
    List<String> asked = body.strings("permissions");
    (asked.isEmpty() ? List.of("read") : asked).forEach(p -> perms.add(Permission.parse(p)));
    Grant g = node.sharing().grant(caller, ctx.pathParam("ref"), grantee, perms);
    ctx.status(201).json(JsonViews.grant(g));
  }

  private static String grantee(RequestBody body) {
    Optional<String> agent = body.text("agent");
    Optional<String> role = body.text("role");
    Optional<String> grantee = body.text("grantee");
    int given =
        (agent.isPresent() ? 1 : 0) + (role.isPresent() ? 1 : 0) + (grantee.isPresent() ? 1 : 0);
    if (given != 1) {
      throw WarehouseException.badRequest("give exactly one of agent, role or grantee");
    }
    return agent.map(Grant::agent).or(() -> role.map(Grant::role)).orElseGet(grantee::get);
  }

  private void revoke(Exchange ctx) {
    Caller caller = auth.caller(ctx, "revoke");
    node.sharing().revoke(caller, ctx.pathParam("ref"), ctx.pathParam("grantee"));
    ctx.status(204);
  }
}
