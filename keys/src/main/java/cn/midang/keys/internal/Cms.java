package cn.midang.keys.internal;

import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import java.security.cert.CertificateException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
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
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataParser;
import org.bouncycastle.cms.CMSSignerDigestMismatchException;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.CollectionStore;
import org.bouncycastle.util.Store;

/** CMS SignedData pieces shared by detached signatures and sealed packages. */
public final class Cms {

    /** SM2 with SM3 (GM/T 0006), and the SM2 algorithm itself, which some CMS writers (GM/T 0010) name there instead. */
    private static final Set<String> SM2_SIGNATURE_OIDS = Set.of(GMObjectIdentifiers.sm2sign_with_sm3.getId(),
            GMObjectIdentifiers.sm2p256v1.getId());

    /** What a checked SignerInfo says. */
    public record Signed(Certificate signer, Instant signingTime, byte[] contentSm3, String description, String request) {}

    /**
     * The signed attribute naming the request that uploads a package (its nonce, a UTF8String): a
     * UUID-derived OID (ITU-T X.667), ours without a registry. {@code docs/CRYPTO.md} describes it.
     */
    public static final ASN1ObjectIdentifier UPLOAD_REQUEST = new ASN1ObjectIdentifier("2.25.48650954392202291933843290932318670383");

    private Cms() {}

    public static DigestCalculatorProvider digestProvider() {
        DigestCalculatorProvider bc;
        try {
            bc = new JcaDigestCalculatorProviderBuilder().setProvider(Bc.PROVIDER).build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
        CryptoBackend backend = CryptoBackend.current();
        return backend.isNative() ? NativeCms.digests(backend, bc) : bc;
    }

    /**
     * A SignerInfo generator for SM3withSM2 with signed attributes contentType, messageDigest,
     * signingTime (from our clock, not the JVM's) and, when {@code description} is given,
     * contentHints (RFC 2634) carrying it.
     */
    public static SignerInfoGenerator signerInfoGenerator(Identity signer, Instant signingTime, String description) {
        return signerInfoGenerator(signer, signingTime, description, null, digestProvider());
    }

    /**
     * As {@link #signerInfoGenerator(Identity, Instant, String)}, also signing {@code request} (the
     * nonce of the signed request that uploads the package) in the attribute {@link #UPLOAD_REQUEST}.
     */
    public static SignerInfoGenerator signerInfoGenerator(Identity signer, Instant signingTime, String description, String request) {
        return signerInfoGenerator(signer, signingTime, description, request, digestProvider());
    }

    private static SignerInfoGenerator signerInfoGenerator(Identity signer, Instant signingTime, String description,
            String request, DigestCalculatorProvider digests) {
        Hashtable<ASN1ObjectIdentifier, Attribute> attrs = new Hashtable<>();
        attrs.put(CMSAttributes.signingTime,
                new Attribute(CMSAttributes.signingTime, new DERSet(new Time(Date.from(signingTime)))));
        if (description != null) {
            attrs.put(PKCSObjectIdentifiers.id_aa_contentHint, new Attribute(PKCSObjectIdentifiers.id_aa_contentHint,
                    new DERSet(new ContentHints(CMSObjectIdentifiers.data, new DERUTF8String(description)))));
        }
        if (request != null) {
            attrs.put(UPLOAD_REQUEST, new Attribute(UPLOAD_REQUEST, new DERSet(new DERUTF8String(request))));
        }
        try {
            return new JcaSignerInfoGeneratorBuilder(digests)
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attrs)))
                    .build(new JcaContentSignerBuilder(Bc.SM3_WITH_SM2).setProvider(Bc.PROVIDER)
                                    .build(Access.pki().privateKey(signer)),
                            Access.pki().holder(signer.certificate()));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("SM3withSM2 CMS signing is unavailable", e);
        }
    }

    public static Store<X509CertificateHolder> certificateStore(List<Certificate> chain) {
        List<X509CertificateHolder> holders = new ArrayList<>();
        for (Certificate c : chain) {
            holders.add(Access.pki().holder(c));
        }
        return new CollectionStore<>(holders);
    }

    /**
     * Verifies the one SignerInfo of a parsed SignedData whose content has been read. Exactly
     * one signer is accepted; its certificate must be in the structure.
     */
    @SuppressWarnings("unchecked")
    public static Signed verifySingleSigner(CMSSignedDataParser parser) throws KeysException {
        try {
            Collection<SignerInformation> signers = parser.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new KeysException(Reason.MALFORMED, "expected exactly one signer, found " + signers.size());
            }
            SignerInformation si = signers.iterator().next();
            Collection<X509CertificateHolder> certs = parser.getCertificates().getMatches(si.getSID());
            if (certs.isEmpty()) {
                throw new KeysException(Reason.MALFORMED, "the signature does not carry its signer's certificate");
            }
            X509CertificateHolder holder = certs.iterator().next();
            // Only the national algorithms: a SignerInfo over an MD5 or SHA-1 digest, or signed with
            // another algorithm, is refused before anything else is believed (its messageDigest
            // would otherwise be reported as the content's "SM3").
            if (!GMObjectIdentifiers.sm3.getId().equals(si.getDigestAlgOID())) {
                throw new KeysException(Reason.BAD_SIGNATURE, "the signature's digest algorithm is " + si.getDigestAlgOID()
                        + ", not SM3; Midang accepts only SM3withSM2 signatures");
            }
            if (!SM2_SIGNATURE_OIDS.contains(si.getEncryptionAlgOID())) {
                throw new KeysException(Reason.BAD_SIGNATURE, "the signature algorithm is " + si.getEncryptionAlgOID()
                        + ", not SM2 with SM3; Midang accepts only SM3withSM2 signatures");
            }
            boolean ok;
            try {
                ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(Bc.PROVIDER).build(holder));
            } catch (CMSSignerDigestMismatchException e) {
                ok = false;
            }
            Certificate signer = Access.pki().certificate(holder);
            if (!ok) {
                throw new KeysException(Reason.BAD_SIGNATURE, "the signature of " + signer.subject()
                        + " does not match the content (the content was changed, or the signature belongs to other content)");
            }
            AttributeTable signed = si.getSignedAttributes();
            Instant time = null;
            String description = null;
            String request = null;
            if (signed != null) {
                Attribute t = signed.get(CMSAttributes.signingTime);
                if (t != null) {
                    time = Time.getInstance(t.getAttrValues().getObjectAt(0)).getDate().toInstant();
                }
                Attribute h = signed.get(PKCSObjectIdentifiers.id_aa_contentHint);
                if (h != null) {
                    ContentHints hints = ContentHints.getInstance(h.getAttrValues().getObjectAt(0));
                    description = hints.getContentDescription() == null ? null : hints.getContentDescription().getString();
                }
                Attribute u = signed.get(UPLOAD_REQUEST);
                if (u != null) {
                    request = DERUTF8String.getInstance(u.getAttrValues().getObjectAt(0)).getString();
                }
            }
            if (time == null) {
                throw new KeysException(Reason.MALFORMED, "the signature carries no signing time");
            }
            byte[] digest = si.getContentDigest();
            if (digest == null) {
                Attribute md = signed == null ? null : signed.get(CMSAttributes.messageDigest);
                digest = md == null ? new byte[0] : ASN1OctetString.getInstance(md.getAttrValues().getObjectAt(0)).getOctets();
            }
            return new Signed(signer, time, digest, description, request);
        } catch (CMSException e) {
            // Reading the signer infos reads the rest of the stream: the tag is checked here.
            KeysException k = Failures.classify(e);
            throw k.reason() == Reason.MALFORMED
                    ? new KeysException(Reason.MALFORMED, "the signature structure cannot be read: " + e.getMessage(), e) : k;
        } catch (OperatorCreationException | CertificateException e) {
            throw new KeysException(Reason.MALFORMED, "the signer's certificate cannot verify SM2 signatures", e);
        }
    }

}
