package webhook

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// EncryptedContent is a rich notification's encryptedContent, as
// concepts/change-notifications-with-resource-data.md specifies it:
// Data is the resource's JSON, AES-256-CBC encrypted (PKCS7 padding, the
// IV the first 16 bytes of the key); DataKey is that single-use key,
// RSA-OAEP encrypted with the subscriber's public key; DataSignature is
// the HMAC-SHA256 of the encrypted data under the same key. All three are
// base64.
type EncryptedContent struct {
	Data                            string `json:"data"`
	DataSignature                   string `json:"dataSignature"`
	DataKey                         string `json:"dataKey"`
	EncryptionCertificateID         string `json:"encryptionCertificateId"`
	EncryptionCertificateThumbprint string `json:"encryptionCertificateThumbprint"`
}

// ParseCertificate reads a subscription's encryptionCertificate: a base64
// X.509 certificate (DER, or PEM) whose key is RSA of 2048 to 4096 bits, as
// the page's "Managing encryption keys" requires.
func ParseCertificate(b64 string) (*x509.Certificate, error) {
	s := strings.TrimSpace(b64)
	if strings.HasPrefix(s, "-----BEGIN") {
		s = strings.NewReplacer("-----BEGIN CERTIFICATE-----", "", "-----END CERTIFICATE-----", "").Replace(s)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, errors.New("the encryption certificate is not base64")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, errors.New("the encryption certificate is not an X.509 certificate")
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the encryption certificate's key is not an RSA key")
	}
	if n := key.N.BitLen(); n < 2048 || n > 4096 {
		return nil, fmt.Errorf("the encryption certificate's key has %d bits; 2048 to 4096 are supported", n)
	}
	return cert, nil
}

// Thumbprint is a certificate's SHA-1 thumbprint in upper-case hex, as
// encryptionCertificateThumbprint shows it.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// Encrypt encrypts plaintext for cert's owner with a new symmetric key.
func Encrypt(cert *x509.Certificate, certID string, plaintext []byte) (*EncryptedContent, error) {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("webhook: the certificate's key is not an RSA key")
	}
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	data := append(append([]byte{}, plaintext...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(data, data)
	// OAEP with SHA-1, the default of the decryptors the page shows
	// (.NET's fOAEP: true, Java's OAEPWithSHA1AndMGF1Padding, Node's
	// privateDecrypt).
	dataKey, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, key, nil)
	if err != nil {
		return nil, fmt.Errorf("webhook: encrypt the data key: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(data)
	return &EncryptedContent{
		Data:                            base64.StdEncoding.EncodeToString(data),
		DataSignature:                   base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		DataKey:                         base64.StdEncoding.EncodeToString(dataKey),
		EncryptionCertificateID:         certID,
		EncryptionCertificateThumbprint: Thumbprint(cert),
	}, nil
}

// Decrypt is the receiver's side, in the page's order: decrypt the data
// key with the private key (OAEP), check the HMAC-SHA256 signature of the
// data, and only then decrypt the data.
func Decrypt(priv *rsa.PrivateKey, ec *EncryptedContent) ([]byte, error) {
	wrapped, err := base64.StdEncoding.DecodeString(ec.DataKey)
	if err != nil {
		return nil, errors.New("webhook: dataKey is not base64")
	}
	key, err := rsa.DecryptOAEP(sha1.New(), nil, priv, wrapped, nil)
	if err != nil {
		return nil, errors.New("webhook: dataKey does not decrypt with this key")
	}
	data, err := base64.StdEncoding.DecodeString(ec.Data)
	if err != nil {
		return nil, errors.New("webhook: data is not base64")
	}
	sig, err := base64.StdEncoding.DecodeString(ec.DataSignature)
	if err != nil {
		return nil, errors.New("webhook: dataSignature is not base64")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(data)
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, errors.New("webhook: dataSignature does not match: the payload was tampered with")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhook: data key: %w", err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("webhook: data is not whole AES blocks")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, key[:aes.BlockSize]).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("webhook: data has bad padding")
	}
	return plain[:len(plain)-pad], nil
}
