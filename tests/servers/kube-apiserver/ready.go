package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"
)

// waitReady polls /readyz until it answers 200, the server exits, or the
// timeout passes. /readyz includes the RBAC bootstrap hook, so a ready server
// already has its default ClusterRoles.
func waitReady(serverURL, caFile, token string, timeout time.Duration, exited <-chan error) error {
	client, err := trustingClient(caFile)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	lastErr := fmt.Errorf("no answer yet")
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("kube-apiserver exited before ready: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		req, _ := http.NewRequest(http.MethodGet, serverURL+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		lastErr = fmt.Errorf("/readyz answered %s", resp.Status)
	}
	return fmt.Errorf("kube-apiserver not ready after %s: %v", timeout, lastErr)
}

func trustingClient(caFile string) (*http.Client, error) {
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	return &http.Client{Transport: transport, Timeout: 5 * time.Second}, nil
}
