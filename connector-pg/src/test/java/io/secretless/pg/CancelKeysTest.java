package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.secretless.pg.message.BackendKeyData;
import io.secretless.pg.message.CancelRequest;
import org.junit.jupiter.api.Test;

class CancelKeysTest {
  @Test
  void cancelRequestWithTheBrokersKeyMapsToTheBackendKey() {
    CancelKeys keys = new CancelKeys();
    EmbeddedChannel client = new EmbeddedChannel();
    BackendKeyData backend = new BackendKeyData(1234, 5678);

    BackendKeyData mine = keys.register(client, backend);

    assertThat(mine).isNotEqualTo(backend);
    assertThat(mine.processId()).isPositive();
    assertThat(keys.lookup(new CancelRequest(mine.processId(), mine.secretKey())))
        .contains(backend);
    assertThat(keys.lookup(new CancelRequest(1234, 5678))).isEmpty();
    assertThat(keys.lookup(new CancelRequest(mine.processId(), mine.secretKey() + 1))).isEmpty();
  }

  @Test
  void entryIsRemovedWhenTheClientConnectionCloses() {
    CancelKeys keys = new CancelKeys();
    EmbeddedChannel client = new EmbeddedChannel();
    BackendKeyData mine = keys.register(client, new BackendKeyData(1, 2));
    assertThat(keys.size()).isEqualTo(1);

    client.close();

    assertThat(keys.size()).isZero();
    assertThat(keys.lookup(new CancelRequest(mine.processId(), mine.secretKey()))).isEmpty();
  }
}
