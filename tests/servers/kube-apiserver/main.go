// Command kube-apiserver runs a real Kubernetes API server, backed by an etcd
// embedded in the same process, for chatops' integration tests.
//
// It listens on 127.0.0.1 at a free port with a generated serving certificate,
// authenticates two static bearer tokens (an admin in system:masters and the
// bot's ServiceAccount identity) and authorizes with Node,RBAC. When /readyz
// answers it prints one JSON line on stdout with the URL, the CA file, the
// tokens and a kubeconfig per identity, then serves until SIGTERM/SIGINT (or,
// with -exit-on-stdin-eof, until its parent closes stdin).
//
// Arguments after "--" are passed to kube-apiserver after ours, so they win.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

// readyLine is the machine-readable line printed once the server is ready.
type readyLine struct {
	Event           string `json:"event"`
	URL             string `json:"url"`
	CAFile          string `json:"ca_file"`
	AdminToken      string `json:"admin_token"`
	AdminKubeconfig string `json:"admin_kubeconfig"`
	BotUser         string `json:"bot_user"`
	BotToken        string `json:"bot_token"`
	BotKubeconfig   string `json:"bot_kubeconfig"`
	Etcd            string `json:"etcd"`
	Dir             string `json:"dir"`
	PID             int    `json:"pid"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kube-apiserver:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "working directory for certificates, tokens, kubeconfigs and etcd data (default: a new temporary directory, removed on exit)")
	botUser := flag.String("bot-user", "system:serviceaccount:chatops:chatops", "user name of the bot's token")
	botGroups := flag.String("bot-groups", "system:serviceaccounts,system:serviceaccounts:chatops,system:authenticated", "comma-separated groups of the bot's token")
	stdinEOF := flag.Bool("exit-on-stdin-eof", false, "shut down when stdin closes, so a killed parent leaves no server behind")
	readyTimeout := flag.Duration("ready-timeout", 120*time.Second, "how long to wait for /readyz")
	flag.Parse()

	workDir, cleanup, err := prepareDir(*dir)
	if err != nil {
		return err
	}
	defer cleanup()

	pki, err := writePKI(workDir)
	if err != nil {
		return err
	}
	admin, err := newIdentity("admin", "admin", []string{"system:masters"})
	if err != nil {
		return err
	}
	bot, err := newIdentity("bot", *botUser, strings.Split(*botGroups, ","))
	if err != nil {
		return err
	}
	ids := []identity{admin, bot}
	tokenFile := filepath.Join(workDir, "tokens.csv")
	if err := writeTokenFile(tokenFile, ids); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	serverURL := fmt.Sprintf("https://127.0.0.1:%d", port)
	if err := writeKubeconfigs(workDir, serverURL, pki.CACert, ids); err != nil {
		return err
	}

	etcd, etcdURL, err := startEtcd(filepath.Join(workDir, "etcd"))
	if err != nil {
		return err
	}
	defer etcd.Close()

	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(append(apiserverArgs(port, etcdURL, workDir, tokenFile, pki), flag.Args()...))
	done := make(chan error, 1)
	go func() { done <- cmd.Execute() }()

	if err := waitReady(serverURL, pki.CACert, ids[0].Token, *readyTimeout, done); err != nil {
		return err
	}
	line := readyLine{
		Event: "ready", URL: serverURL, CAFile: pki.CACert, Etcd: etcdURL, Dir: workDir, PID: os.Getpid(),
		AdminToken: ids[0].Token, AdminKubeconfig: ids[0].Kubeconfig,
		BotUser: ids[1].User, BotToken: ids[1].Token, BotKubeconfig: ids[1].Kubeconfig,
	}
	if err := json.NewEncoder(os.Stdout).Encode(line); err != nil {
		return err
	}
	if *stdinEOF {
		go shutdownOnStdinEOF()
	}
	return <-done
}

// apiserverArgs are the kube-apiserver flags for a lean single-process server.
func apiserverArgs(port int, etcdURL, dir, tokenFile string, pki pkiFiles) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--tls-cert-file=" + pki.ServingCert,
		"--tls-private-key-file=" + pki.ServingKey,
		"--client-ca-file=" + pki.CACert,
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=Node,RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki.SAKey,
		"--service-account-signing-key-file=" + pki.SAKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		// No controller-manager creates the "default" ServiceAccount in new
		// namespaces, so this plugin would reject every pod.
		"--disable-admission-plugins=ServiceAccount",
		// One client, no contention: flow control only costs memory here.
		"--enable-priority-and-fairness=false",
		// No kubelets or peers: keep the kubernetes Service's endpoints static.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
		"--enable-logs-handler=false",
	}
}

// prepareDir returns the working directory and how to clean it up: a given
// directory is kept for inspection, a temporary one is removed.
func prepareDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, err
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "chatops-kube-apiserver-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// shutdownOnStdinEOF delivers SIGTERM to this process when stdin closes; the
// API server's own signal handler then shuts it down gracefully.
func shutdownOnStdinEOF() {
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
}
