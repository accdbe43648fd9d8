package cn.midang.server.extract;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.JPEGFactory;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * Scans made at test time (issue 20): Chinese text rendered with a real CJK font (Debian's
 * fonts-noto-cjk) onto paper at a given resolution, optionally with a red seal (公章) stamped over
 * it, as PNG, JPEG, a photographed page (slightly turned, uneven light, JPEG) and an image-only PDF
 * (no text layer: only the pictures of its pages).
 */
public final class Scans {

    private Scans() {}

    /** The CJK font: Noto (fonts-noto-cjk), else WenQuanYi, else any installed font that draws 检查. */
    static String fontFamily() {
        List<String> families = Arrays.asList(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames());
        for (String f : List.of("Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "AR PL UMing CN")) {
            if (families.contains(f)) {
                return f;
            }
        }
        return families.stream().filter(f -> new Font(f, Font.PLAIN, 12).canDisplayUpTo("检查报告") == -1).findFirst()
                .orElseThrow(() -> new IllegalStateException("no installed font draws Chinese: install fonts-noto-cjk"));
    }

    /**
     * A page {@code widthInches} wide with {@code lines} in 12-point type at {@code dpi}, lines
     * wrapped at the margin; a red seal over the middle of the text when {@code seal}.
     */
    public static BufferedImage page(List<String> lines, int dpi, double widthInches, double heightInches, boolean seal) {
        int w = (int) Math.round(widthInches * dpi);
        int h = (int) Math.round(heightInches * dpi);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(20, 20, 20));
        g.setFont(new Font(fontFamily(), Font.PLAIN, (int) Math.round(12.0 * dpi / 72)));
        FontMetrics fm = g.getFontMetrics();
        int margin = dpi / 2;
        int y = margin + fm.getAscent();
        int step = (int) (fm.getHeight() * 1.5);
        for (String line : wrap(lines, fm, w - 2 * margin)) {
            g.drawString(line, margin, y);
            y += step;
        }
        g.dispose();
        if (seal) {
            stamp(img, w / 2, Math.min(y, h) / 2, dpi);
        }
        return img;
    }

    private static List<String> wrap(List<String> lines, FontMetrics fm, int width) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                if (fm.stringWidth(b.toString() + line.charAt(i)) > width) {
                    out.add(b.toString());
                    b.setLength(0);
                }
                b.append(line.charAt(i));
            }
            out.add(b.toString());
        }
        return out;
    }

    /**
     * Stamps a seal on the page as ink does: multiplied with what is printed (the red over white
     * paper is red, over black type it stays black), not painted over it.
     */
    static void stamp(BufferedImage img, int cx, int cy, int dpi) {
        BufferedImage layer = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = layer.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        seal(g, cx, cy, dpi);
        g.dispose();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int ink = layer.getRGB(x, y);
                double a = ((ink >>> 24) & 0xff) / 255.0;
                if (a == 0) {
                    continue;
                }
                int paper = img.getRGB(x, y);
                int out = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double p = (paper >> shift) & 0xff;
                    double i = (ink >> shift) & 0xff;
                    out |= (int) Math.round(p * (1 - a + a * i / 255.0)) << shift;
                }
                img.setRGB(x, y, out);
            }
        }
    }

    /** A round red seal 4 cm across: a ring, a star and the office's name. */
    static void seal(Graphics2D g, int cx, int cy, int dpi) {
        int r = (int) (dpi * 0.8);
        g.setColor(new Color(220, 30, 40, 230));
        g.setStroke(new BasicStroke(dpi / 24f));
        g.drawOval(cx - r, cy - r, 2 * r, 2 * r);
        int s = r / 3;
        int[] xs = new int[10];
        int[] ys = new int[10];
        for (int i = 0; i < 10; i++) {
            double a = Math.PI / 2 + i * Math.PI / 5;
            int rr = i % 2 == 0 ? s : s * 2 / 5;
            xs[i] = cx + (int) (rr * Math.cos(a));
            ys[i] = cy - (int) (rr * Math.sin(a));
        }
        g.fillPolygon(xs, ys, 10);
        g.setFont(new Font(fontFamily(), Font.BOLD, r / 4));
        String name = "玉溪市信息产业办公室";
        AffineTransform saved = g.getTransform();
        for (int i = 0; i < name.length(); i++) {
            double a = Math.PI * (0.15 + 0.7 * i / (name.length() - 1.0)); // from the left (0.15 π) over the top
            g.setTransform(saved);
            g.translate(cx - r * 0.78 * Math.cos(a), cy - r * 0.78 * Math.sin(a));
            g.rotate(a - Math.PI / 2);
            g.drawString(String.valueOf(name.charAt(i)), -r / 8, r / 8);
        }
        g.setTransform(saved);
        g.drawString("检查专用章", cx - r / 2, cy + r / 2);
    }

    /**
     * The page as a phone would photograph it: turned by {@code degrees}, lit unevenly (darker to
     * one side), with sensor noise.
     */
    public static BufferedImage photographed(BufferedImage page, double degrees, long seed) {
        int w = page.getWidth();
        int h = page.getHeight();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(150, 145, 135));
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.rotate(Math.toRadians(degrees), w / 2.0, h / 2.0);
        g.drawImage(page, (int) (w * 0.03), (int) (h * 0.03), (int) (w * 0.94), (int) (h * 0.94), null);
        g.dispose();
        Random noise = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                double light = 0.8 + 0.2 * x / w;
                int n = (int) (noise.nextGaussian() * 6);
                int r = clamp((int) (((rgb >> 16) & 0xff) * light) + n);
                int gr = clamp((int) (((rgb >> 8) & 0xff) * light) + n);
                int b = clamp((int) ((rgb & 0xff) * light * 0.95) + n);
                img.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    public static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    public static byte[] jpeg(BufferedImage img, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A multi-page TIFF (as many scanners and fax servers write), one picture a page. */
    public static byte[] tiff(List<BufferedImage> pages) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            for (BufferedImage p : pages) {
                writer.writeToSequence(new IIOImage(p, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** An image-only PDF: each page is one picture scanned at {@code dpi} (JPEG in the file, as scanners write them), no text layer. */
    public static byte[] pdf(List<BufferedImage> pages, int dpi) throws IOException {
        return pdf(pages, dpi, null);
    }

    /**
     * As {@link #pdf(List, int)}, with {@code stamp} (when not null) as real text at the foot of
     * each page, as scanning apps write their name ("Scanned by CamScanner").
     */
    public static byte[] pdf(List<BufferedImage> pages, int dpi, String stamp) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            for (BufferedImage img : pages) {
                PDPage page = new PDPage(new PDRectangle(img.getWidth() * 72f / dpi, img.getHeight() * 72f / dpi));
                doc.addPage(page);
                PDImageXObject x = dpi >= 300 ? JPEGFactory.createFromImage(doc, img, 0.85f) : LosslessFactory.createFromImage(doc, img);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.drawImage(x, 0, 0, page.getMediaBox().getWidth(), page.getMediaBox().getHeight());
                    if (stamp != null) {
                        cs.beginText();
                        cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 6);
                        cs.newLineAtOffset(8, 6);
                        cs.showText(stamp);
                        cs.endText();
                    }
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }
}
