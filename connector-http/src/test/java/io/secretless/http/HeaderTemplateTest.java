package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderTemplateTest {
  static final Map<String, String> VALUES =
      Map.of("username", "ci-bot", "password", "p@ss:w0rd", "apikey", "k-123");

  static String render(String template) {
    return HeaderTemplate.compile(template).render(VALUES::get);
  }

  @Test
  void fieldReferenceIsReplacedByTheCredential() {
    assertThat(render("Bearer {{ .apikey }}")).isEqualTo("Bearer k-123");
    assertThat(render("{{.apikey}}")).isEqualTo("k-123");
  }

  @Test
  void printfPipedToBase64BuildsBasicAuth() {
    assertThat(render("Basic {{ printf \"%s:%s\" .username .password | base64 }}"))
        .isEqualTo("Basic Y2ktYm90OnBAc3M6dzByZA==");
  }

  @Test
  void base64AsAFunctionCall() {
    assertThat(render("{{ base64 .apikey }}")).isEqualTo("ay0xMjM=");
  }

  @Test
  void literalTextWithoutActionsIsConstant() {
    HeaderTemplate t = HeaderTemplate.compile("metric");
    assertThat(t.isConstant()).isTrue();
    assertThat(t.references()).isEmpty();
    assertThat(t.render(VALUES::get)).isEqualTo("metric");
  }

  @Test
  void referencesListsEveryCredentialName() {
    assertThat(
            HeaderTemplate.compile("{{ printf \"%s:%s\" .username .password | base64 }}")
                .references())
        .containsExactlyInAnyOrder("username", "password");
  }

  @Test
  void printfHandlesPercentAndMissingArguments() {
    assertThat(render("{{ printf \"100%% %s %s\" .apikey }}")).isEqualTo("100% k-123 %!s(MISSING)");
  }

  @Test
  void unknownFunctionIsASyntaxErrorNamingIt() {
    assertThatThrownBy(() -> HeaderTemplate.compile("{{ upper .apikey }}"))
        .isInstanceOf(HeaderTemplate.TemplateSyntaxException.class)
        .hasMessageContaining("unknown function 'upper'");
  }

  @Test
  void unclosedActionIsASyntaxError() {
    assertThatThrownBy(() -> HeaderTemplate.compile("Bearer {{ .apikey"))
        .hasMessageContaining("unclosed action");
  }

  @Test
  void fieldAfterPipeIsASyntaxError() {
    assertThatThrownBy(() -> HeaderTemplate.compile("{{ .a | .b }}"))
        .hasMessageContaining("only a function");
  }

  @Test
  void toStringShowsTheTemplateNotTheValues() {
    HeaderTemplate t = HeaderTemplate.compile("Bearer {{ .apikey }}");
    t.render(VALUES::get);
    assertThat(t.toString()).contains(".apikey").doesNotContain("k-123");
  }
}
