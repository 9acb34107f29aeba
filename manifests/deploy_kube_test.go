package manifests

// The deployment files (../Dockerfile, kubernetes/*.yaml) checked against the code:
// the settings internal/app reads, the port it listens on, the routes it serves,
// and the single-writer rule of the SQLite database.

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/referralbot/referralbot/bot"
	"github.com/referralbot/referralbot/internal/app"
)

// kubeObject is one Kubernetes document; Spec is decoded per kind.
type kubeObject struct {
	File       string            `yaml:"-"`
	Kind       string            `yaml:"kind"`
	Metadata   kubeMeta          `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"` // Kustomization
	Spec       yaml.Node         `yaml:"spec"`
}

type kubeMeta struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// workloadSpec is the spec of a Deployment or StatefulSet.
type workloadSpec struct {
	Replicas *int `yaml:"replicas"`
	Strategy struct {
		Type string `yaml:"type"`
	} `yaml:"strategy"`
	Template struct {
		Metadata kubeMeta `yaml:"metadata"`
		Spec     podSpec  `yaml:"spec"`
	} `yaml:"template"`
}

type podSpec struct {
	SecurityContext securityContext `yaml:"securityContext"`
	Containers      []container     `yaml:"containers"`
	Volumes         []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name  string `yaml:"name"`
			Items []struct {
				Key  string `yaml:"key"`
				Path string `yaml:"path"`
			} `yaml:"items"`
		} `yaml:"configMap"`
		PVC *struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
		EmptyDir *struct{} `yaml:"emptyDir"`
	} `yaml:"volumes"`
}

type securityContext struct {
	RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
	RunAsUser                *int  `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	Capabilities             struct {
		Drop []string `yaml:"drop"`
	} `yaml:"capabilities"`
}

type container struct {
	Name  string   `yaml:"name"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
	} `yaml:"envFrom"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
	StartupProbe   *probe `yaml:"startupProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext securityContext `yaml:"securityContext"`
}

type probe struct {
	HTTPGet *struct {
		Path string    `yaml:"path"`
		Port yaml.Node `yaml:"port"` // a number or a port name
	} `yaml:"httpGet"`
}

// serviceSpec is the spec of a Service.
type serviceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []struct {
		Port       int       `yaml:"port"`
		TargetPort yaml.Node `yaml:"targetPort"`
	} `yaml:"ports"`
}

// kube is every document in kubernetes/*.yaml.
type kube []kubeObject

func loadKube(t *testing.T) kube {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("kubernetes/*.yaml: %d files, %v; want some", len(files), err)
	}
	var k kube
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		for {
			var o kubeObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("parse %s: %v", f, err)
			}
			if o.Kind == "" {
				t.Fatalf("%s: a document without kind", f)
			}
			o.File = filepath.Base(f)
			k = append(k, o)
		}
	}
	return k
}

// get returns the object of that kind and name, failing the test when there is none.
func (k kube) get(t *testing.T, kind, name string) kubeObject {
	t.Helper()
	for _, o := range k {
		if o.Kind == kind && o.Metadata.Name == name {
			return o
		}
	}
	t.Fatalf("no %s %q in kubernetes/*.yaml", kind, name)
	return kubeObject{}
}

// spec decodes o's spec into T.
func spec[T any](t *testing.T, o kubeObject) T {
	t.Helper()
	var v T
	if err := o.Spec.Decode(&v); err != nil {
		t.Fatalf("%s %s: spec: %v", o.Kind, o.Metadata.Name, err)
	}
	return v
}

// workloads returns every Deployment and StatefulSet by name.
func (k kube) workloads(t *testing.T) map[string]workloadSpec {
	t.Helper()
	w := map[string]workloadSpec{}
	for _, o := range k {
		if o.Kind == "Deployment" || o.Kind == "StatefulSet" {
			w[o.Metadata.Name] = spec[workloadSpec](t, o)
		}
	}
	return w
}

// bot returns the bot's workload and its container (the one named referralbot).
func (k kube) bot(t *testing.T) (workloadSpec, container) {
	t.Helper()
	for _, w := range k.workloads(t) {
		for _, c := range w.Template.Spec.Containers {
			if c.Name == "referralbot" {
				return w, c
			}
		}
	}
	t.Fatal("no workload with a container named referralbot")
	return workloadSpec{}, container{}
}

// env returns the variables c gets and where each comes from; values from Secrets are "".
func (k kube) env(t *testing.T, c container) (values, from map[string]string) {
	t.Helper()
	values, from = map[string]string{}, map[string]string{}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			for name, v := range k.get(t, "ConfigMap", ef.ConfigMapRef.Name).Data {
				values[name], from[name] = v, "ConfigMap "+ef.ConfigMapRef.Name
			}
		case ef.SecretRef != nil:
			s := k.get(t, "Secret", ef.SecretRef.Name)
			for name := range s.StringData {
				values[name], from[name] = "", "Secret "+s.Metadata.Name
			}
			for name := range s.Data {
				values[name], from[name] = "", "Secret "+s.Metadata.Name
			}
		}
	}
	for _, e := range c.Env {
		values[e.Name], from[e.Name] = e.Value, "env of container "+c.Name
	}
	return values, from
}

// port resolves a port given as a number or as the name of one of c's ports.
func (c container) port(t *testing.T, n yaml.Node) int {
	t.Helper()
	if p, err := strconv.Atoi(n.Value); err == nil {
		return p
	}
	for _, p := range c.Ports {
		if p.Name == n.Value {
			return p.ContainerPort
		}
	}
	t.Errorf("container %s has no port named %q", c.Name, n.Value)
	return 0
}

// mountFor returns the volume mounted at the directory holding file, and the path
// of file inside it.
func (c container) mountFor(t *testing.T, pod podSpec, file string) (vol int, rel string, readOnly bool) {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if r, ok := strings.CutPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/"); ok {
			for i, v := range pod.Volumes {
				if v.Name == m.Name {
					return i, r, m.ReadOnly
				}
			}
			t.Fatalf("mount %s names volume %s; want a volume of the pod", m.MountPath, m.Name)
		}
	}
	t.Fatalf("no volume is mounted at %s; want one holding %s", path.Dir(file), file)
	return 0, "", false
}

// codeSettings returns the environment variables the bot reads (internal/app's
// Config, by its env tags), each with its default.
func codeSettings(t *testing.T) map[string]string {
	t.Helper()
	settings := map[string]string{}
	typ := reflect.TypeFor[app.Config]()
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag.Get("env")
		if tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		_, def, _ := strings.Cut(opts, "default=")
		settings[name] = def
	}
	if len(settings) < 5 {
		t.Fatalf("found %d env tags in app.Config; want the whole configuration", len(settings))
	}
	return settings
}

// servesRoute reports whether a non-test Go file under handlers/, internal/app or cmd/ registers route.
func servesRoute(t *testing.T, route string) bool {
	t.Helper()
	found := false
	for _, dir := range []string{"../handlers", "../internal/app", "../cmd"} {
		err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err != nil || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			raw, err := os.ReadFile(p)
			found = found || bytes.Contains(raw, []byte(strconv.Quote(route)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// botSetting returns the value the bot gets for name: the manifests' or the code's default.
func botSetting(t *testing.T, k kube, name string) string {
	t.Helper()
	_, c := k.bot(t)
	values, _ := k.env(t, c)
	if v, ok := values[name]; ok {
		return v
	}
	return codeSettings(t)[name]
}

// addrPort returns the port of a host:port address.
func addrPort(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(p)
	if err != nil || err2 != nil {
		t.Fatalf("address %q has no port", addr)
	}
	return n
}

func TestKubernetesEnvIsWhatTheCodeReads(t *testing.T) {
	k := loadKube(t)
	code := codeSettings(t)
	_, c := k.bot(t)
	values, from := k.env(t, c)
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if _, ok := code[name]; !ok {
			t.Errorf("%s sets %s; want only settings app.Config reads", from[name], name)
		}
	}
	for _, tt := range []struct{ anyOf []string }{
		{[]string{"SLACK_BOT_TOKEN"}},
		{[]string{"SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"}},
	} {
		if !slices.ContainsFunc(tt.anyOf, func(n string) bool { _, ok := values[n]; return ok }) {
			t.Errorf("the bot gets none of %v; want one (required at start-up)", tt.anyOf)
		}
	}
	for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} {
		if f, ok := from[name]; ok && !strings.HasPrefix(f, "Secret ") {
			t.Errorf("%s comes from %s; want a Secret", name, f)
		}
	}
}

func TestKubernetesPortsAgree(t *testing.T) {
	k := loadKube(t)
	d := loadDockerfile(t)
	w, c := k.bot(t)
	want := addrPort(t, botSetting(t, k, "HTTP_ADDR"))
	svc := spec[serviceSpec](t, k.get(t, "Service", "referralbot"))
	if len(svc.Ports) != 1 {
		t.Fatalf("Service referralbot has %d ports; want 1", len(svc.Ports))
	}
	tests := []struct {
		what string
		got  int
	}{
		{"container port http", c.port(t, yaml.Node{Value: "http"})},
		{"Service referralbot targetPort", c.port(t, svc.Ports[0].TargetPort)},
		{"Service referralbot port", svc.Ports[0].Port},
		{"Dockerfile EXPOSE", atoi(d.final().last("EXPOSE"))},
		{"Dockerfile ENV HTTP_ADDR", addrPort(t, d.final().env()["HTTP_ADDR"])},
		{"prometheus.io/port annotation", atoi(w.Template.Metadata.Annotations["prometheus.io/port"])},
	}
	for _, tt := range tests {
		if tt.got != want {
			t.Errorf("%s = %d; want %d, the port of HTTP_ADDR", tt.what, tt.got, want)
		}
	}
	if !selects(svc.Selector, w.Template.Metadata.Labels) {
		t.Errorf("bot pod labels %v; want those Service referralbot selects: %v", w.Template.Metadata.Labels, svc.Selector)
	}
}

// selects reports whether a Service selector matches a pod's labels.
func selects(selector, labels map[string]string) bool {
	for key, v := range selector {
		if labels[key] != v {
			return false
		}
	}
	return len(selector) > 0
}

// show prints an optional number.
func show(p *int) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(*p)
}

// atoi is s as a number, or -1.
func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return n
}

func TestKubernetesProbesHitServedRoutes(t *testing.T) {
	k := loadKube(t)
	w, c := k.bot(t)
	tests := []struct {
		probe string
		got   *probe
		want  string
	}{
		{"livenessProbe", c.LivenessProbe, "/healthz"},
		{"readinessProbe", c.ReadinessProbe, "/readyz"},
		{"startupProbe", c.StartupProbe, "/healthz"},
	}
	for _, tt := range tests {
		if tt.got == nil || tt.got.HTTPGet == nil {
			t.Errorf("%s has no httpGet; want GET %s", tt.probe, tt.want)
			continue
		}
		if tt.got.HTTPGet.Path != tt.want {
			t.Errorf("%s path = %s; want %s", tt.probe, tt.got.HTTPGet.Path, tt.want)
		}
		if got, want := c.port(t, tt.got.HTTPGet.Port), c.port(t, yaml.Node{Value: "http"}); got != want {
			t.Errorf("%s port = %d; want %d (http)", tt.probe, got, want)
		}
	}
	// Whatever the manifests request must be a route the code registers.
	for _, p := range []string{"/healthz", "/readyz", w.Template.Metadata.Annotations["prometheus.io/path"]} {
		if route := "GET " + p; !servesRoute(t, route) {
			t.Errorf("no mux.HandleFunc(%q, …) in handlers/, internal/app or cmd/; want the route the manifests probe", route)
		}
	}
}

func TestKubernetesVolumesHoldTheFiles(t *testing.T) {
	k := loadKube(t)
	w, c := k.bot(t)
	pod := w.Template.Spec

	dbPath := botSetting(t, k, "DATABASE_PATH")
	i, _, readOnly := c.mountFor(t, pod, dbPath)
	if v := pod.Volumes[i]; v.PVC == nil {
		t.Errorf("DATABASE_PATH %s is on volume %s; want a PersistentVolumeClaim", dbPath, v.Name)
	} else {
		pvc := spec[struct {
			AccessModes []string `yaml:"accessModes"`
		}](t, k.get(t, "PersistentVolumeClaim", v.PVC.ClaimName))
		if !slices.Contains(pvc.AccessModes, "ReadWriteOnce") && !slices.Contains(pvc.AccessModes, "ReadWriteOncePod") {
			t.Errorf("PVC %s accessModes = %v; want ReadWriteOnce(Pod): one node writes SQLite", v.PVC.ClaimName, pvc.AccessModes)
		}
	}
	if readOnly {
		t.Errorf("the database volume is mounted readOnly; want writable")
	}

	rosterPath := botSetting(t, k, "ROSTER_PATH")
	i, rel, _ := c.mountFor(t, pod, rosterPath)
	v := pod.Volumes[i]
	if v.ConfigMap == nil {
		t.Fatalf("ROSTER_PATH %s is on volume %s; want a ConfigMap", rosterPath, v.Name)
	}
	key := rel
	for _, item := range v.ConfigMap.Items {
		if item.Path == rel {
			key = item.Key
		}
	}
	roster, ok := k.get(t, "ConfigMap", v.ConfigMap.Name).Data[key]
	if !ok {
		t.Fatalf("ConfigMap %s has no key %s; want the roster ROSTER_PATH names", v.ConfigMap.Name, key)
	}
	file := filepath.Join(t.TempDir(), "roster.yaml")
	if err := os.WriteFile(file, []byte(roster), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := bot.LoadRoster(file); err != nil {
		t.Errorf("roster in ConfigMap %s: %v", v.ConfigMap.Name, err)
	} else if len(r.Analysts) == 0 || len(r.Offices) == 0 {
		t.Errorf("roster has %d analysts, %d offices; want an example of both", len(r.Analysts), len(r.Offices))
	}

	// SQLite writes temporary files when the root filesystem is read-only.
	if c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem {
		if i, _, _ := c.mountFor(t, pod, "/tmp/x"); pod.Volumes[i].EmptyDir == nil {
			t.Errorf("/tmp is volume %s; want an emptyDir", pod.Volumes[i].Name)
		}
	}
}

func TestKubernetesOneBotWritesTheDatabase(t *testing.T) {
	k := loadKube(t)
	for _, o := range k {
		if o.Kind == "StatefulSet" || o.Kind == "Deployment" {
			w := spec[workloadSpec](t, o)
			if w.Replicas == nil || *w.Replicas != 1 {
				t.Errorf("%s %s replicas = %s; want exactly 1", o.Kind, o.Metadata.Name, show(w.Replicas))
			}
			if o.Kind == "Deployment" && w.Strategy.Type != "Recreate" {
				t.Errorf("Deployment %s strategy = %q; want Recreate: never two at once", o.Metadata.Name, w.Strategy.Type)
			}
		}
	}
}

func TestKubernetesContainersAreLockedDown(t *testing.T) {
	k := loadKube(t)
	imageUser := atoi(strings.Split(loadDockerfile(t).final().last("USER"), ":")[0])
	for name, w := range k.workloads(t) {
		pod := w.Template.Spec.SecurityContext
		for _, c := range w.Template.Spec.Containers {
			sc := c.SecurityContext
			either := func(a, b *bool) bool { return (a != nil && *a) || (a == nil && b != nil && *b) }
			tests := []struct {
				what      string
				got, want bool
			}{
				{"runAsNonRoot", either(sc.RunAsNonRoot, pod.RunAsNonRoot), true},
				{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem, true},
				{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation, false},
				{"drops ALL capabilities", slices.Contains(sc.Capabilities.Drop, "ALL"), true},
				{"has cpu and memory requests and limits", c.Resources.Requests["cpu"] != "" && c.Resources.Requests["memory"] != "" &&
					c.Resources.Limits["cpu"] != "" && c.Resources.Limits["memory"] != "", true},
			}
			for _, tt := range tests {
				if tt.got != tt.want {
					t.Errorf("%s/%s %s = %t; want %t", name, c.Name, tt.what, tt.got, tt.want)
				}
			}
			if c.Name == "referralbot" && (pod.RunAsUser == nil || *pod.RunAsUser != imageUser) {
				t.Errorf("%s runAsUser = %s; want %d, the image's USER", name, show(pod.RunAsUser), imageUser)
			}
		}
	}
}

func TestKubernetesRedisIsTheQueueTheBotUses(t *testing.T) {
	k := loadKube(t)
	u, err := url.Parse(botSetting(t, k, "REDIS_URL"))
	if err != nil || u.Host == "" {
		t.Fatalf("REDIS_URL %q: want the Redis Service's URL", u)
	}
	svc := spec[serviceSpec](t, k.get(t, "Service", u.Hostname()))
	if len(svc.Ports) != 1 || strconv.Itoa(svc.Ports[0].Port) != u.Port() {
		t.Errorf("Service %s ports = %+v; want one, %s", u.Hostname(), svc.Ports, u.Port())
	}
	var args []string
	for _, w := range k.workloads(t) {
		if selects(svc.Selector, w.Template.Metadata.Labels) {
			args = w.Template.Spec.Containers[0].Args
		}
	}
	// Keys are never evicted (store/reminders), and nothing is saved: SQLite rebuilds it.
	for _, tt := range []struct{ flag, want string }{
		{"--maxmemory-policy", "noeviction"},
		{"--appendonly", "no"},
	} {
		i := slices.Index(args, tt.flag)
		if i < 0 || i+1 >= len(args) || args[i+1] != tt.want {
			t.Errorf("Redis args %v; want %s %s", args, tt.flag, tt.want)
		}
	}
}

func TestKustomizationListsTheManifests(t *testing.T) {
	k := loadKube(t)
	var listed []string
	files := map[string]bool{}
	for _, o := range k {
		if o.Kind == "Kustomization" {
			listed = o.Resources
		} else if o.Kind != "Secret" {
			files[o.File] = true
		}
	}
	for _, f := range listed {
		if !files[f] {
			t.Errorf("kustomization.yaml lists %s; want only files of kubernetes/ holding no Secret", f)
		}
		delete(files, f)
	}
	for f := range files {
		t.Errorf("kustomization.yaml leaves out %s; want every manifest but the Secret template", f)
	}
}

// dockerStage is one FROM of the Dockerfile and the instructions under it, each as
