#include "cluster/member_config.h"

#include "util/string_building.h"

namespace ketcd::cluster {
namespace {

constexpr char kPki[] = "/etc/kubernetes/pki/etcd";

// "https://10.0.0.5:2379" -> "10.0.0.5".
std::string Host(const std::string& url) {
  std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  return rest.substr(0, rest.rfind(':'));
}

}  // namespace

std::vector<std::string> JoiningMemberFlags(const JoiningMember& m) {
  const bool tls = m.client_url.starts_with("https://") || m.peer_url.starts_with("https://");
  // The member's client URL, and the loopback one local tools use.
  std::string listen_client_urls = m.client_url;
  if (Host(m.client_url) != "127.0.0.1") {
    AppendToList(listen_client_urls, m.client_url.substr(0, m.client_url.find("://") + 3) + "127.0.0.1:2379");
  }
  std::vector<std::string> flags = {
      "--name=" + m.name,
      "--data-dir=" + m.data_dir,
      "--listen-peer-urls=" + m.peer_url,
      "--initial-advertise-peer-urls=" + m.peer_url,
      "--listen-client-urls=" + listen_client_urls,
      "--advertise-client-urls=" + m.client_url,
      "--initial-cluster=" + m.initial_cluster,
      "--initial-cluster-state=existing",
  };
  if (tls) {
    const std::string pki = kPki;
    flags.insert(flags.end(), {"--cert-file=" + pki + "/server.crt", "--key-file=" + pki + "/server.key",
                               std::string("--client-cert-auth=true"), "--trusted-ca-file=" + pki + "/ca.crt",
                               "--peer-cert-file=" + pki + "/peer.crt", "--peer-key-file=" + pki + "/peer.key",
                               std::string("--peer-client-cert-auth=true"),
                               "--peer-trusted-ca-file=" + pki + "/ca.crt"});
  }
  return flags;
}

std::string KubeadmEtcdManifest(const JoiningMember& m) {
  std::string command = "    - etcd\n";
  for (const std::string& flag : JoiningMemberFlags(m)) command += "    - " + flag + "\n";
  command += "    - --listen-metrics-urls=http://127.0.0.1:2381\n    - --snapshot-count=10000\n";
  return "apiVersion: v1\n"
         "kind: Pod\n"
         "metadata:\n"
         "  annotations:\n"
         "    kubeadm.kubernetes.io/etcd.advertise-client-urls: " + m.client_url + "\n"
         "  labels:\n"
         "    component: etcd\n"
         "    tier: control-plane\n"
         "  name: etcd\n"
         "  namespace: kube-system\n"
         "spec:\n"
         "  containers:\n"
         "  - command:\n" + command +
         "    image: " + m.image + "\n"
         "    imagePullPolicy: IfNotPresent\n"
         "    livenessProbe:\n"
         "      failureThreshold: 8\n"
         "      httpGet:\n"
         "        host: 127.0.0.1\n"
         "        path: /health?exclude=NOSPACE&serializable=true\n"
         "        port: 2381\n"
         "        scheme: HTTP\n"
         "      initialDelaySeconds: 10\n"
         "      periodSeconds: 10\n"
         "      timeoutSeconds: 15\n"
         "    name: etcd\n"
         "    resources:\n"
         "      requests:\n"
         "        cpu: 100m\n"
         "        memory: 100Mi\n"
         "    volumeMounts:\n"
         "    - mountPath: " + m.data_dir + "\n"
         "      name: etcd-data\n"
         "    - mountPath: " + kPki + "\n"
         "      name: etcd-certs\n"
         "  hostNetwork: true\n"
         "  priority: 2000001000\n"
         "  priorityClassName: system-node-critical\n"
         "  securityContext:\n"
         "    seccompProfile:\n"
         "      type: RuntimeDefault\n"
         "  volumes:\n"
         "  - hostPath:\n"
         "      path: " + kPki + "\n"
         "      type: DirectoryOrCreate\n"
         "    name: etcd-certs\n"
         "  - hostPath:\n"
         "      path: " + m.data_dir + "\n"
         "      type: DirectoryOrCreate\n"
         "    name: etcd-data\n";
}

}  // namespace ketcd::cluster
