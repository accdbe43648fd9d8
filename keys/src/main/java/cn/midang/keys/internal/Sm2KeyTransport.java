package cn.midang.keys.internal;

import cn.midang.keys.KeysException;
import cn.midang.keys.KeysException.Reason;
import cn.midang.keys.pki.Certificate;
import java.io.IOException;
import java.math.BigInteger;
import java.security.Key;
import java.security.PrivateKey;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.RecipientOperator;
import org.bouncycastle.cms.RecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.util.BigIntegers;

/**
 * CMS key transport to an SM2 public key in GM/T 0009 form: the content-encryption key is
 * encrypted with SM2 (C1C3C2) and encoded as the DER {@code SM2Cipher ::= SEQUENCE {
 * XCoordinate INTEGER, YCoordinate INTEGER, HASH OCTET STRING, CipherText OCTET STRING }}, under
 * the key-encryption algorithm {@code sm2encrypt} (1.2.156.10197.1.301.3, no parameters).
 * {@code openssl pkeyutl -decrypt} opens the blob.
 *
 * <p>Bouncy Castle's own SM2 cipher writes raw C1‖C2‖C3, which OpenSSL and GM/T 0009 readers
 * do not accept; hence this class.
 */
public final class Sm2KeyTransport {

    public static final AlgorithmIdentifier KEY_ENCRYPTION = new AlgorithmIdentifier(GMObjectIdentifiers.sm2encrypt);
    private static final int COORDINATE = 32;
    private static final int HASH = 32;

    private Sm2KeyTransport() {}

    /** Encrypts {@code key} to {@code recipient}'s SM2 public key; returns DER SM2Cipher. */
    public static byte[] encrypt(Certificate recipient, byte[] key) {
        try {
            X509CertificateHolder h = Access.pki().holder(recipient);
            ECPublicKeyParameters pub = (ECPublicKeyParameters) PublicKeyFactory.createKey(h.getSubjectPublicKeyInfo());
            SM2Engine engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
            engine.init(true, new ParametersWithRandom(pub, Bc.random()));
            byte[] raw = engine.processBlock(key, 0, key.length);
            // raw = 04 ‖ x ‖ y ‖ C3 ‖ C2
            int p = 1;
            BigInteger x = new BigInteger(1, Arrays.copyOfRange(raw, p, p += COORDINATE));
            BigInteger y = new BigInteger(1, Arrays.copyOfRange(raw, p, p += COORDINATE));
            byte[] c3 = Arrays.copyOfRange(raw, p, p += HASH);
            byte[] c2 = Arrays.copyOfRange(raw, p, raw.length);
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(new ASN1Integer(x));
            v.add(new ASN1Integer(y));
            v.add(new DEROctetString(c3));
            v.add(new DEROctetString(c2));
            return new DERSequence(v).getEncoded();
        } catch (IOException | InvalidCipherTextException | ClassCastException e) {
            throw new IllegalStateException("SM2 encryption failed for " + recipient.subject(), e);
        }
    }

    /** Decrypts a DER SM2Cipher with {@code key}. */
    public static byte[] decrypt(PrivateKey key, byte[] der) throws KeysException {
        byte[] raw;
        try {
            ASN1Sequence s = ASN1Sequence.getInstance(der);
            if (s.size() != 4) {
                throw new IllegalArgumentException("SM2Cipher has " + s.size() + " fields");
            }
            byte[] x = BigIntegers.asUnsignedByteArray(COORDINATE, ASN1Integer.getInstance(s.getObjectAt(0)).getValue());
            byte[] y = BigIntegers.asUnsignedByteArray(COORDINATE, ASN1Integer.getInstance(s.getObjectAt(1)).getValue());
            byte[] c3 = ASN1OctetString.getInstance(s.getObjectAt(2)).getOctets();
            byte[] c2 = ASN1OctetString.getInstance(s.getObjectAt(3)).getOctets();
            if (c3.length != HASH) {
                throw new IllegalArgumentException("SM2Cipher hash is " + c3.length + " bytes");
            }
            raw = new byte[1 + 2 * COORDINATE + HASH + c2.length];
            raw[0] = 0x04;
            System.arraycopy(x, 0, raw, 1, COORDINATE);
            System.arraycopy(y, 0, raw, 1 + COORDINATE, COORDINATE);
            System.arraycopy(c3, 0, raw, 1 + 2 * COORDINATE, HASH);
            System.arraycopy(c2, 0, raw, 1 + 2 * COORDINATE + HASH, c2.length);
        } catch (RuntimeException e) {
            throw new KeysException(Reason.TAMPERED, "the encrypted content key is damaged (not a GM/T 0009 SM2Cipher)", e);
        }
        try {
            ECPrivateKeyParameters priv = (ECPrivateKeyParameters) PrivateKeyFactory.createKey(key.getEncoded());
            SM2Engine engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
            engine.init(false, priv);
            return engine.processBlock(raw, 0, raw.length);
        } catch (InvalidCipherTextException | IllegalArgumentException e) {
            throw new KeysException(Reason.TAMPERED,
                    "the encrypted content key does not decrypt with this key: it was altered, or it is not for you", e);
        } catch (IOException e) {
            throw new IllegalStateException("the private key cannot be read", e);
        }
    }

    /** The KeyTransRecipientInfo carrying {@code contentKey} to {@code recipient}. */
    public static RecipientInfo recipientInfo(Certificate recipient, byte[] contentKey) {
        X509CertificateHolder h = Access.pki().holder(recipient);
        RecipientIdentifier rid = new RecipientIdentifier(new IssuerAndSerialNumber(h.toASN1Structure()));
        return new RecipientInfo(new KeyTransRecipientInfo(rid, KEY_ENCRYPTION,
                new DEROctetString(encrypt(recipient, contentKey))));
    }

    /** A generator for Bouncy Castle's envelope stream generator. */
    public static RecipientInfoGenerator generator(Certificate recipient) {
        return contentKey -> recipientInfo(recipient, keyBytes(contentKey));
    }

    private static byte[] keyBytes(GenericKey k) throws CMSException {
        Object r = k.getRepresentation();
        if (r instanceof Key key && key.getEncoded() != null) {
            return key.getEncoded();
        }
        if (r instanceof byte[] b) {
            return b.clone();
        }
        throw new CMSException("content key cannot be exported for SM2 key transport");
    }

    /** A Bouncy Castle recipient that opens the SM2 key blob with {@code key}. */
    public static JceKeyTransAuthEnvelopedRecipient recipient(PrivateKey key) {
        JceKeyTransAuthEnvelopedRecipient r = new JceKeyTransAuthEnvelopedRecipient(key) {
            @Override
            public RecipientOperator getRecipientOperator(AlgorithmIdentifier keyEncryptionAlgorithm,
                    AlgorithmIdentifier contentEncryptionAlgorithm, byte[] encryptedContentKey) throws CMSException {
                if (!(CryptoBackend.current() instanceof CryptoBackend.Native backend)) {
                    return super.getRecipientOperator(keyEncryptionAlgorithm, contentEncryptionAlgorithm, encryptedContentKey);
                }
                byte[] cek = extractSecretKey(keyEncryptionAlgorithm, contentEncryptionAlgorithm, encryptedContentKey).getEncoded();
                try {
                    return new RecipientOperator(NativeCms.decryptor(backend, cek, contentEncryptionAlgorithm));
                } catch (java.io.IOException e) {
                    throw new CMSException(e.getMessage(), e);
                } finally {
                    java.util.Arrays.fill(cek, (byte) 0);
                }
            }

            @Override
            protected Key extractSecretKey(AlgorithmIdentifier keyEncryptionAlgorithm,
                    AlgorithmIdentifier encryptedKeyAlgorithm, byte[] encryptedKey) throws CMSException {
                if (!KEY_ENCRYPTION.equals(keyEncryptionAlgorithm)) {
                    throw new CMSException("unsupported key-encryption algorithm "
                            + keyEncryptionAlgorithm.getAlgorithm() + " (expected sm2encrypt)");
                }
                try {
                    byte[] cek = decrypt(key, encryptedKey);
                    if (cek.length != 16) {
                        throw new CMSException("the content key has " + cek.length + " bytes, not 16");
                    }
                    return new SecretKeySpec(cek, "SM4");
                } catch (KeysException e) {
                    throw new CMSException(e.getMessage(), new KeyTransportException(e));
                }
            }
        };
        r.setProvider(Bc.PROVIDER);
        r.setContentProvider(Bc.PROVIDER);
        return r;
    }

    /** Carries a {@link KeysException} through Bouncy Castle's checked exceptions. */
    public static final class KeyTransportException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient KeysException keys;

        KeyTransportException(KeysException keys) {
            super(keys.getMessage());
            this.keys = keys;
        }

        public KeysException keys() {
            return keys;
        }
    }
}
