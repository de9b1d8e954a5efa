package io.secretless.warehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MultiRowTest {
  private static final int[] SIZES = {64, 16, 4, 1};

  @Test
  void chunksTakeTheLargestSizeThatFits() {
    assertThat(SIZES[MultiRow.chunk(200, SIZES)]).isEqualTo(64);
    assertThat(SIZES[MultiRow.chunk(63, SIZES)]).isEqualTo(16);
    assertThat(SIZES[MultiRow.chunk(5, SIZES)]).isEqualTo(4);
    assertThat(SIZES[MultiRow.chunk(3, SIZES)]).isEqualTo(1);
  }

  @Test
  void placeholdersHaveOneGroupPerRow() {
    assertThat(MultiRow.placeholders(1, 3)).isEqualTo("(?,?,?)");
    assertThat(MultiRow.placeholders(2, 2)).isEqualTo("(?,?),(?,?)");
  }
}
