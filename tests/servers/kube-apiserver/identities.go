package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// identity is one user of the static token file, with the kubeconfig that
// authenticates as it.
type identity struct {
	Name       string // kubeconfig file stem: admin, bot
	User       string
	UID        string
	Groups     []string
	Token      string
	Kubeconfig string
}

func newIdentity(name, user string, groups []string) (identity, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return identity{}, err
	}
	return identity{Name: name, User: user, UID: name + "-uid", Groups: groups, Token: hex.EncodeToString(raw)}, nil
}

// writeTokenFile writes the CSV read by --token-auth-file:
// token,user,uid,"group1,group2".
func writeTokenFile(path string, ids []identity) error {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%s,%s,%s,\"%s\"\n", id.Token, id.User, id.UID, strings.Join(id.Groups, ","))
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// writeKubeconfigs writes <dir>/<name>.kubeconfig for every identity and
// records each path on it.
func writeKubeconfigs(dir, serverURL, caFile string, ids []identity) error {
	for i := range ids {
		id := &ids[i]
		cfg := clientcmdapi.NewConfig()
		cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: serverURL, CertificateAuthority: caFile}
		cfg.AuthInfos[id.Name] = &clientcmdapi.AuthInfo{Token: id.Token}
		cfg.Contexts[id.Name] = &clientcmdapi.Context{Cluster: "test", AuthInfo: id.Name, Namespace: "default"}
		cfg.CurrentContext = id.Name
		id.Kubeconfig = filepath.Join(dir, id.Name+".kubeconfig")
		if err := clientcmd.WriteToFile(*cfg, id.Kubeconfig); err != nil {
			return fmt.Errorf("write %s: %w", id.Kubeconfig, err)
		}
	}
	return nil
}
