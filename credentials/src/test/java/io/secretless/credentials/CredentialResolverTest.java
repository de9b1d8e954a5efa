package io.secretless.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whether a service's credentials may be resolved on an event loop, and resolving them. */
class CredentialResolverTest {
  private static final Position HERE = new Position("test.yml", 1, 1);

  /** A provider from elsewhere that does not say whether it blocks. */
  private static final CredentialProvider THIRD_PARTY =
      new CredentialProvider() {
        @Override
        public String name() {
          return "vault";
        }

        @Override
        public Secret get(String id) {
          return Secret.of("Vault-Canary-0d4");
        }
      };

  private final CredentialResolver resolver =
      new CredentialResolver(
          List.of(
              new EnvProvider(Map.of("DB_PASSWORD", "Env-Canary-8a2")),
              new FileProvider(),
              THIRD_PARTY));

  private static ServiceConfig service(Map<String, CredentialRef> credentials) {
    return new ServiceConfig(
        "pg-unit",
        "pg",
        new ListenAddress.Tcp("127.0.0.1", 0),
        credentials,
        new ConfigTree(Map.of(), Map.of(), HERE),
        Map.of(),
        List.of(),
        HERE);
  }

  private static Map<String, CredentialRef> literalHostAnd(String name, CredentialRef ref) {
    Map<String, CredentialRef> credentials = new LinkedHashMap<>();
    credentials.put("host", new CredentialRef.Literal(Secret.of("127.0.0.1"), HERE));
    credentials.put(name, ref);
    return credentials;
  }

  private static CredentialRef from(String provider, String id) {
    return new CredentialRef.FromProvider(provider, id, HERE);
  }

  /** A stand-in for a caching provider: holds only the id "hit"; records what is invalidated. */
  private static class StubCache implements CredentialProvider {
    final List<String> invalidated = new java.util.ArrayList<>();

    @Override
    public String name() {
      return "cache";
    }

    @Override
    public Secret get(String id) {
      return Secret.of("Fetched-Canary-61e");
    }

    @Override
    public Optional<Secret> getWithoutBlocking(String id) {
      return id.equals("hit") ? Optional.of(Secret.of("Cached-Canary-0c9")) : Optional.empty();
    }

    @Override
    public boolean invalidate(String id) {
      invalidated.add(id);
      return true;
    }
  }

  @Test
  void closeClosesTheProvidersThatHoldResourcesAndEndsTheWarehouseWatcher() {
    var closed = new java.util.ArrayList<String>();
    class Closing extends StubCache implements AutoCloseable {
      @Override
      public void close() {
        closed.add(name());
      }
    }
    var warehouse =
        new WarehouseProvider(
            new WarehouseSettings(
                java.net.URI.create("http://127.0.0.1:9"), // nothing listens: the watcher retries
                "broker",
                Secret.of("Resolver-Client-Canary-3f1a"),
                Optional.empty(),
                java.time.Duration.ofSeconds(1),
                new WarehouseSettings.Cache(
                    java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(1))));
    warehouse.checkSettings();
    assertThat(warehouse.pushing()).isTrue();
    try (var owned =
        new CredentialResolver(List.of(new EnvProvider(Map.of()), new Closing(), warehouse))) {
      assertThat(owned.knows("warehouse")).isTrue();
    }
    assertThat(closed).containsExactly("cache");
    assertThat(warehouse.pushing()).as("the watcher's thread ended").isFalse();
  }

  @Test
  void cacheStatsListsOnlyTheProvidersThatCacheByName() {
    CacheStats counts = new CacheStats(3, 1, 0, 0, 0, 0, 0, 1, CacheStats.Push.OFF);
    var caching =
        new StubCache() {
          @Override
          public Optional<CacheStats> cacheStats() {
            return Optional.of(counts);
          }
        };
    var withCache =
        new CredentialResolver(List.of(new EnvProvider(Map.of()), caching, THIRD_PARTY));
    assertThat(withCache.cacheStats()).containsExactly(Map.entry("cache", counts));
    assertThat(withCache.cacheStats("cache")).contains(counts);
    assertThat(withCache.cacheStats("env")).isEmpty();
    assertThat(withCache.cacheStats("nowhere")).isEmpty();
    assertThat(resolver.cacheStats()).isEmpty();
  }

  @Test
  void invalidateAsksEveryProviderOfTheServiceAndSaysWhetherOneCaches() {
    StubCache caching = new StubCache();
    var withCache = new CredentialResolver(List.of(new EnvProvider(Map.of()), caching));
    ServiceConfig cached = service(literalHostAnd("password", from("cache", "db#password")));
    assertThat(withCache.invalidate(cached)).isTrue();
    assertThat(caching.invalidated).containsExactly("db#password");

    ServiceConfig uncached = service(literalHostAnd("password", from("env", "DB_PASSWORD")));
    assertThat(withCache.invalidate(uncached)).as("env caches nothing: no retry").isFalse();
    assertThat(resolver.invalidate(service(literalHostAnd("password", from("nowhere", "x")))))
        .isFalse();
  }

  @Test
  void envNeverBlocksFileAndProvidersThatDoNotSayDo() {
    assertThat(new EnvProvider().blocks()).isFalse();
    assertThat(new FileProvider().blocks()).isTrue();
    assertThat(THIRD_PARTY.blocks()).isTrue();
  }

  @Test
  void literalAndEnvCredentialsResolveWithoutBlocking() {
    ServiceConfig service = service(literalHostAnd("password", from("env", "DB_PASSWORD")));
    try (Credentials c = resolver.resolveWithoutBlocking(service).orElseThrow()) {
      assertThat(c.text("host")).hasValue("127.0.0.1");
      assertThat(c.text("password")).hasValue("Env-Canary-8a2");
    }
  }

  @Test
  void oneCredentialFromABlockingProviderMakesTheServiceResolveOnAVirtualThread() {
    assertThat(
            resolver.resolveWithoutBlocking(
                service(literalHostAnd("password", from("file", "/pw")))))
        .isEmpty();
    assertThat(
            resolver.resolveWithoutBlocking(
                service(literalHostAnd("password", from("vault", "db/pw")))))
        .isEmpty();
  }

  @Test
  void aValueACachingProviderHoldsResolvesWithoutBlockingAndAMissDoesNot() {
    var withCache = new CredentialResolver(List.of(new StubCache()));
    try (Credentials c =
        withCache
            .resolveWithoutBlocking(service(literalHostAnd("password", from("cache", "hit"))))
            .orElseThrow()) {
      assertThat(c.text("password")).hasValue("Cached-Canary-0c9");
    }
    assertThat(
            withCache.resolveWithoutBlocking(
                service(literalHostAnd("password", from("cache", "miss")))))
        .isEmpty();
  }

  @Test
  void anUnknownProviderFailsAtOnceNamingServiceCredentialAndProvider() {
    ServiceConfig service = service(literalHostAnd("password", from("nowhere", "x")));
    assertThatThrownBy(() -> resolver.resolveWithoutBlocking(service))
        .isInstanceOf(CredentialException.class)
        .hasMessage(
            "service pg-unit: credential 'password' from nowhere: no such credential provider");
  }

  @Test
  void anUnsetVariableFailsWithoutTheValuesOfTheOtherCredentials() {
    ServiceConfig service = service(literalHostAnd("password", from("env", "UNSET_VARIABLE")));
    assertThatThrownBy(() -> resolver.resolveWithoutBlocking(service))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("service pg-unit: credential 'password' from env")
        .hasMessageContaining("UNSET_VARIABLE is not set")
        .hasMessageNotContaining("Env-Canary-8a2");
  }

  @Test
  void checkSettingsAsksEachProviderInUseOnceAndNamesTheFirstServiceThatUsesIt() {
    List<String> checked = new java.util.ArrayList<>();
    CredentialProvider strict =
        new StubCache() {
          @Override
          public void checkSettings() {
            checked.add("cache");
            if (checked.size() > 1) {
              throw new AssertionError("checked twice");
            }
          }
        };
    var withStrict = new CredentialResolver(List.of(strict, new EnvProvider(Map.of())));
    ServiceConfig one = service(literalHostAnd("password", from("cache", "a")));
    ServiceConfig two = service(literalHostAnd("password", from("cache", "b")));
    withStrict.checkSettings(List.of(one, two, service(literalHostAnd("x", from("nowhere", "y")))));
    assertThat(checked).containsExactly("cache");

    CredentialProvider failing =
        new StubCache() {
          @Override
          public void checkSettings() {
            throw new CredentialException("cache provider: CACHE_URL is not set");
          }
        };
    assertThatThrownBy(() -> new CredentialResolver(List.of(failing)).checkSettings(List.of(one)))
        .isInstanceOf(CredentialException.class)
        .hasMessage("service pg-unit: from cache: cache provider: CACHE_URL is not set");
  }
}
