package cn.midang.server.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;

/** The parts of recognition that need no Tesseract: the clean-up of its text, the red filter, the page size guard. */
class RecognitionTest {

    @Test
    void spacesBetweenChineseCharactersGo_othersStay() {
        assertThat(Recognition.closeUp("应 急 预 案 未 演 练 。 检查\u3000结果")).isEqualTo("应急预案未演练。检查结果");
        assertThat(Recognition.closeUp("Windows Server 2003 未打补丁")).isEqualTo("Windows Server 2003 未打补丁");
        assertThat(Recognition.closeUp("第 1 项：口 令")).isEqualTo("第 1 项：口令");
        assertThat(Recognition.closeUp("应急\n预案")).isEqualTo("应急\n预案"); // a line break is the page's, not Tesseract's
    }

    @Test
    void theRedOfASealTurnsWhite_blackTextStaysBlack_greyStaysGrey() {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 0, new Color(150, 20, 30).getRGB()); // a seal in dim light
        img.setRGB(0, 0, new Color(220, 30, 40).getRGB());
        img.setRGB(1, 0, new Color(10, 10, 10).getRGB());
        img.setRGB(2, 0, new Color(128, 128, 128).getRGB());
        BufferedImage grey = Recognition.withoutRed(img);
        assertThat(grey.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(grey.getRaster().getSample(0, 0, 0)).isEqualTo(255);
        assertThat(grey.getRaster().getSample(1, 0, 0)).isEqualTo(10);
        assertThat(grey.getRaster().getSample(2, 0, 0)).isEqualTo(128);
        assertThat(grey.getRaster().getSample(3, 0, 0)).isEqualTo(255);
    }

    @Test
    void aPosterSizedPageIsRenderedAtALowerResolution_anA4PageAtTheConfiguredOne() {
        assertThat(Recognition.dpi(PDRectangle.A4, 300)).isEqualTo(300);
        PDRectangle poster = new PDRectangle(72 * 40, 72 * 60); // 40 × 60 inches
        int dpi = Recognition.dpi(poster, 300);
        assertThat(dpi).isLessThan(300).isGreaterThanOrEqualTo(72);
        assertThat((long) dpi * 40 * dpi * 60).isLessThanOrEqualTo(Recognition.MAX_PIXELS);
    }

    @Test
    void settingsGoToTheChildAndComeBack() {
        Ocr ocr = new Ocr("chi_sim+eng", 7, Duration.ofSeconds(90), 200);
        List<String> args = new java.util.ArrayList<>(List.of("1000", "100", "4"));
        args.addAll(ocr.arguments());
        assertThat(Ocr.of(args.toArray(String[]::new), 3)).contains(ocr);
        assertThat(Ocr.of(new String[] {"1000", "100", "4"}, 3)).isEmpty();
    }

    @Test
    void aScanningAppsNameOrPageNumbers_areHardlyAnyText_aShortTypedReportIsText() {
        assertThat(Ocr.hardlyAnyText("Scanned by CamScanner\n\nScanned by CamScanner\n")).isTrue();
        assertThat(Ocr.hardlyAnyText("扫描全能王 创建 1 2 3")).isTrue();
        assertThat(Ocr.hardlyAnyText("")).isTrue();
        assertThat(Ocr.hardlyAnyText("本单位已完成自查，未发现弱口令，应急预案已于十一月组织演练，国产密码产品已在办公系统中全面使用。")).isFalse();
    }
}
