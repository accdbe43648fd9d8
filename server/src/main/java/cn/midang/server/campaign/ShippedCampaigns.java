package cn.midang.server.campaign;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The campaign files shipped in the jar (copied from {@code config/campaigns/} at build time). */
public final class ShippedCampaigns {

    private ShippedCampaigns() {}

    /** The notice's campaign, {@code config/campaigns/yuxi-2009.yaml}. */
    public static Campaign yuxi2009() {
        return load("yuxi-2009.yaml");
    }

    /** The text of a shipped campaign file. */
    public static String text(String name) {
        try (InputStream in = ShippedCampaigns.class.getResourceAsStream("/cn/midang/server/campaigns/" + name)) {
            if (in == null) {
                throw new IllegalStateException("campaign file " + name + " is not in the jar (build from the project root)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Campaign load(String name) {
        try {
            return CampaignDefinition.parse(text(name));
        } catch (CampaignDefinition.Invalid e) {
            throw new IllegalStateException("the shipped campaign file " + name + " is invalid: " + e.problems(), e);
        }
    }
}
