package cn.midang.cli.net;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.testkit.TestPki;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An audit export someone changed is an integrity failure (exit 6), whatever was changed, never an internal error. */
class AuditExportCheckTest {

    @TempDir
    Path tmp;

    /** Found by fuzzing (ParsersFuzzTest.auditExport): a checkpoint that is not base64 escaped as IllegalArgumentException. */
    @Test
    void aCheckpointThatIsNotBase64_isMalformed() throws Exception {
        var server = TestPki.create(tmp).person("Midang server signing", "server", "Midang").certificate();
        var export = new ObjectMapper().readTree("{\"from\": 1, \"records\": [], \"checkpoints\": [{\"bytes\": \"]]\", \"signature\": \"AA==\"}]}");
        assertThatThrownBy(() -> MidangClient.verifyAuditExport(export, server))
                .isInstanceOfSatisfying(KeysException.class, e -> org.assertj.core.api.Assertions.assertThat(e.reason())
                        .isEqualTo(KeysException.Reason.MALFORMED));
    }
}
