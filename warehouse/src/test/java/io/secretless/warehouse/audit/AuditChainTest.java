package io.secretless.warehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditChainTest {
  private static String h(String prev, String agent, String reason) {
    return h(prev, 1, agent, reason);
  }

  private static String h(String prev, long seq, String agent, String reason) {
    return AuditChain.hash(
        new AuditRecord(
            seq, 1000, agent, "retrieve", "c1", "success", reason, "127.0.0.1", "ua", prev, null));
  }

  @Test
  void hashIsDeterministicAndCoversEveryField() {
    String base = h(AuditChain.GENESIS, "devops", "v1");
    assertThat(base).hasSize(64).isEqualTo(h(AuditChain.GENESIS, "devops", "v1"));
    assertThat(h(AuditChain.GENESIS, "devops", "v2")).isNotEqualTo(base);
    assertThat(h("1".repeat(64), "devops", "v1")).isNotEqualTo(base);
    assertThat(h(AuditChain.GENESIS, 2, "devops", "v1")).isNotEqualTo(base);
  }

  @Test
  void fieldBoundariesCannotBeShifted() {
    assertThat(h(AuditChain.GENESIS, "dev", "opsv1"))
        .isNotEqualTo(h(AuditChain.GENESIS, "devops", "v1"));
  }
}
