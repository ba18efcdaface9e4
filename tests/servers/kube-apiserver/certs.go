package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pkiFiles are the PEM files the API server is started with.
type pkiFiles struct {
	CACert      string // signs the serving certificate; clients trust it
	ServingCert string
	ServingKey  string
	SAKey       string // signs and verifies ServiceAccount tokens
}

// writePKI generates a throwaway CA, a serving certificate for 127.0.0.1 and
// localhost, and a ServiceAccount signing key, all valid for one day.
func writePKI(dir string) (pkiFiles, error) {
	files := pkiFiles{
		CACert:      filepath.Join(dir, "ca.crt"),
		ServingCert: filepath.Join(dir, "serving.crt"),
		ServingKey:  filepath.Join(dir, "serving.key"),
		SAKey:       filepath.Join(dir, "sa.key"),
	}
	caKey, err := newKey()
	if err != nil {
		return files, err
	}
	caTmpl := certTemplate("chatops-test-ca")
	caTmpl.IsCA = true
	caTmpl.BasicConstraintsValid = true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return files, fmt.Errorf("self-sign CA: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return files, err
	}

	servingKey, err := newKey()
	if err != nil {
		return files, err
	}
	servingTmpl := certTemplate("kube-apiserver")
	servingTmpl.KeyUsage = x509.KeyUsageDigitalSignature
	servingTmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	servingTmpl.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}
	servingTmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	servingDER, err := x509.CreateCertificate(rand.Reader, servingTmpl, caCert, &servingKey.PublicKey, caKey)
	if err != nil {
		return files, fmt.Errorf("sign serving certificate: %w", err)
	}

	saKey, err := newKey()
	if err != nil {
		return files, err
	}
	for path, block := range map[string]*pem.Block{
		files.CACert:      {Type: "CERTIFICATE", Bytes: caDER},
		files.ServingCert: {Type: "CERTIFICATE", Bytes: servingDER},
	} {
		if err := writePEM(path, block); err != nil {
			return files, err
		}
	}
	for path, key := range map[string]*ecdsa.PrivateKey{files.ServingKey: servingKey, files.SAKey: saKey} {
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return files, err
		}
		if err := writePEM(path, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}); err != nil {
			return files, err
		}
	}
	return files, nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func certTemplate(commonName string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
	}
}

func writePEM(path string, block *pem.Block) error {
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}
