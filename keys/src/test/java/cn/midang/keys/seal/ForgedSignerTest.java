package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.internal.Access;
import cn.midang.keys.internal.Bc;
import cn.midang.keys.internal.Cms;
import cn.midang.keys.internal.Sm2KeyTransport;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.CmsSignatures;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Date;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.asn1.ess.ContentHints;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAuthEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signature inside a sealed package, attacked where the tag cannot help: the archive's
 * certificate is public, so anyone can seal a well-formed package to it that <em>names</em> unit-a
 * as the signer. Only the SignerInfo check stops it. Each package here is valid in every other way
 * (the GCM tag is right), so a verifier that skipped the signature would accept it.
 */
class ForgedSignerTest {

    @TempDir
    Path dir;

    TestPki pki;
    Identity unit;
    Identity mallory;
    Identity archive;
    static final byte[] CONTENT = "玉溪市某单位 2009 年度自查报告".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() {
        pki = TestPki.create(dir);
        unit = pki.person("unit-a", "unit", "unit-a");
        mallory = pki.person("mallory", "unit", "unit-b");
        archive = pki.person("archive", "server", "Midang");
    }

    /** Signed attributes as the Sealer writes them. */
    AttributeTable attributes() {
        Hashtable<org.bouncycastle.asn1.ASN1ObjectIdentifier, Attribute> attrs = new Hashtable<>();
        attrs.put(CMSAttributes.signingTime, new Attribute(CMSAttributes.signingTime,
                new DERSet(new Time(Date.from(pki.clock.instant())))));
        attrs.put(PKCSObjectIdentifiers.id_aa_contentHint, new Attribute(PKCSObjectIdentifiers.id_aa_contentHint,
                new DERSet(new ContentHints(CMSObjectIdentifiers.data, new DERUTF8String("report.docx")))));
        return new AttributeTable(attrs);
    }

    /** A SignerInfo naming {@code named}'s certificate, signed by {@code key} through {@code signer}. */
    SignerInfoGenerator signerInfo(Identity named, ContentSigner signer, boolean md5) throws Exception {
        JcaSignerInfoGeneratorBuilder b = new JcaSignerInfoGeneratorBuilder(Cms.digestProvider());
        if (md5) {
            b.setContentDigest(new AlgorithmIdentifier(PKCSObjectIdentifiers.md5));
        }
        return b.setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(attributes()))
                .build(signer, Access.pki().holder(named.certificate()));
    }

    static ContentSigner sm2(PrivateKey key) throws Exception {
        return new JcaContentSignerBuilder(Bc.SM3_WITH_SM2).setProvider(Bc.PROVIDER).build(key);
    }

    /** A content signer that signs the signed attributes with one byte changed: the attributes sent are not those signed. */
    static ContentSigner signingOtherAttributes(ContentSigner real) {
        return new ContentSigner() {
            final ByteArrayOutputStream seen = new ByteArrayOutputStream();

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return real.getAlgorithmIdentifier();
            }

            @Override
            public OutputStream getOutputStream() {
                return seen;
            }

            @Override
            public byte[] getSignature() {
                byte[] attrs = seen.toByteArray();
                attrs[attrs.length - 3] ^= 0x01; // inside the last attribute (the description), not the messageDigest
                try (OutputStream out = real.getOutputStream()) {
                    out.write(attrs);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return real.getSignature();
            }
        };
    }

    /** Seals {@code CONTENT} to the archive with the given SignerInfo and {@code named}'s certificate chain. */
    byte[] sealWith(SignerInfoGenerator signerInfo, Identity named) throws Exception {
        CMSAuthEnvelopedDataStreamGenerator envelope = new CMSAuthEnvelopedDataStreamGenerator();
        envelope.setAuthenticatedAttributeGenerator(parameters -> new AttributeTable(new Attribute(
                CMSAttributes.contentType, new DERSet(CMSObjectIdentifiers.signedData))));
        envelope.addRecipientInfoGenerator(Sm2KeyTransport.generator(archive.certificate()));
        OutputAEADEncryptor encryptor = (OutputAEADEncryptor) new JceCMSContentEncryptorBuilder(GMObjectIdentifiers.sms4_gcm)
                .setProvider(Bc.PROVIDER).setSecureRandom(Bc.random()).build();
        CMSSignedDataStreamGenerator signed = new CMSSignedDataStreamGenerator();
        signed.addSignerInfoGenerator(signerInfo);
        signed.addCertificates(Cms.certificateStore(Access.pki().chain(named)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream encrypted = envelope.open(CMSObjectIdentifiers.signedData, new FilterOutputStream(out) {
                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                }, encryptor);
                OutputStream plain = signed.open(encrypted, true)) {
            plain.write(CONTENT);
        }
        return out.toByteArray();
    }

    Opened open(byte[] sealed) throws KeysException {
        return Opener.forRecipient(archive, pki.validator()).check(new ByteArrayInputStream(sealed));
    }

    @Test
    void theHelperMakesPackagesThatOpen_whenNothingIsForged() throws Exception {
        Opened o = open(sealWith(signerInfo(unit, sm2(Access.pki().privateKey(unit)), false), unit));
        assertThat(o.signer()).isEqualTo(unit.certificate());
        assertThat(o.description()).contains("report.docx");
    }

    @Test
    void aPackageNamingUnitA_butSignedByAnotherKey_isRefusedAsABadSignature() throws Exception {
        byte[] forged = sealWith(signerInfo(unit, sm2(Access.pki().privateKey(mallory)), false), unit);
        assertThatThrownBy(() -> open(forged)).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE));
    }

    @Test
    void signedAttributesChangedAfterSigning_withTheRightMessageDigest_areRefused() throws Exception {
        byte[] forged = sealWith(signerInfo(unit, signingOtherAttributes(sm2(Access.pki().privateKey(unit))), false), unit);
        assertThatThrownBy(() -> open(forged)).isInstanceOfSatisfying(KeysException.class,
                e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE));
    }

    @Test
    void aContentDigestOtherThanSm3_isRefused_inPackagesAndDetachedSignatures() throws Exception {
        byte[] md5 = sealWith(signerInfo(unit, sm2(Access.pki().privateKey(unit)), true), unit);
        assertThatThrownBy(() -> open(md5)).isInstanceOfSatisfying(KeysException.class, e -> {
            assertThat(e.reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE);
            assertThat(e.getMessage()).contains("not SM3");
        });
        CMSSignedDataGenerator g = new CMSSignedDataGenerator();
        g.addSignerInfoGenerator(signerInfo(unit, sm2(Access.pki().privateKey(unit)), true));
        g.addCertificates(Cms.certificateStore(List.of(unit.certificate())));
        byte[] detached = g.generate(new CMSProcessableByteArray(CONTENT), false).getEncoded();
        assertThatThrownBy(() -> CmsSignatures.verify(detached, new ByteArrayInputStream(CONTENT), pki.validator()))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.BAD_SIGNATURE));
    }
}
