#include "support/api_server_objects.h"

#include <chrono>
#include <thread>
#include <vector>

namespace ketcd::testing {
namespace {

using nlohmann::json;

// A pod template every workload shares.
json PodTemplate(const std::string& app) {
  return json::parse(R"({
    "metadata": {"labels": {"app": ")" + app + R"("}},
    "spec": {
      "containers": [{
        "name": "main", "image": "registry.example/app:1.0", "args": ["--port", "8080"],
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [{"name": "MODE", "value": "test"},
                {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}]
      }],
      "volumes": [{"name": "config", "configMap": {"name": "settings"}}],
      "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "app", "effect": "NoExecute",
                       "tolerationSeconds": 30}]
    }})");
}

json Selector(const std::string& app) { return {{"matchLabels", {{"app", app}}}}; }

}  // namespace

Status CreateObjectsOfEveryCommonKind(const KubeApiServer& server, const std::string& ns) {
  const std::string core = "/api/v1/namespaces/" + ns;
  auto in = [&](const std::string& group_version, const std::string& resource) {
    return "/apis/" + group_version + "/namespaces/" + ns + "/" + resource;
  };
  auto cluster = [](const std::string& group_version, const std::string& resource) {
    return "/apis/" + group_version + "/" + resource;
  };
  auto named = [](const std::string& name, json body) {
    body["metadata"]["name"] = name;
    return body;
  };
  std::vector<std::pair<std::string, json>> objects = {
      {"/api/v1/namespaces", {{"metadata", {{"name", ns}, {"labels", {{"team", "ketcd"}}}}}}},
      {core + "/serviceaccounts", named("default", json::object())},
      {core + "/serviceaccounts", named("builder", {{"automountServiceAccountToken", false}})},
      {core + "/configmaps",
       named("settings", {{"data", {{"app.yaml", "port: 8080\n"}, {"mode", "test"}}},
                          {"binaryData", {{"blob", "AAEC"}}}})},
      {core + "/secrets", named("credentials", {{"type", "Opaque"},
                                                {"data", {{"password", "aHVudGVyMg=="}}},
                                                {"stringData", {{"user", "admin"}}}})},
      {core + "/pods", named("standalone", {{"spec", PodTemplate("standalone")["spec"]}})},
      {core + "/podtemplates", named("template", {{"template", PodTemplate("template")}})},
      {core + "/replicationcontrollers",
       named("legacy", {{"spec", {{"replicas", 1}, {"selector", {{"app", "legacy"}}},
                                  {"template", PodTemplate("legacy")}}}})},
      {in("apps/v1", "deployments"),
       named("web", {{"spec", {{"replicas", 3}, {"selector", Selector("web")}, {"template", PodTemplate("web")},
                               {"strategy", {{"type", "RollingUpdate"},
                                             {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", 1}}}}}}}})},
      {in("apps/v1", "replicasets"),
       named("cache", {{"spec", {{"replicas", 1}, {"selector", Selector("cache")}, {"template", PodTemplate("cache")}}}})},
      {in("apps/v1", "statefulsets"),
       named("db", {{"spec",
                     {{"serviceName", "db"}, {"replicas", 2}, {"selector", Selector("db")},
                      {"template", PodTemplate("db")},
                      {"volumeClaimTemplates",
                       {{{"metadata", {{"name", "data"}}},
                         {"spec", {{"accessModes", {"ReadWriteOnce"}},
                                   {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}}})},
      {in("apps/v1", "daemonsets"),
       named("agent", {{"spec", {{"selector", Selector("agent")}, {"template", PodTemplate("agent")}}}})},
      {in("apps/v1", "controllerrevisions"), named("db-1", {{"revision", 1}, {"data", {{"spec", {{"x", 1}}}}}})},
      {in("batch/v1", "jobs"),
       named("migrate", {{"spec", {{"backoffLimit", 2}, {"template", [] {
                                     json t = PodTemplate("migrate");
                                     t["spec"]["restartPolicy"] = "Never";
                                     return t;
                                   }()}}}})},
      {in("batch/v1", "cronjobs"),
       named("nightly", {{"spec", {{"schedule", "0 3 * * *"}, {"concurrencyPolicy", "Forbid"},
                                   {"jobTemplate", {{"spec", {{"template", [] {
                                                                json t = PodTemplate("nightly");
                                                                t["spec"]["restartPolicy"] = "OnFailure";
                                                                return t;
                                                              }()}}}}}}}})},
      {core + "/services",
       named("web", {{"spec", {{"selector", {{"app", "web"}}},
                               {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}}}}})},
      {core + "/services",
       named("nodeport", {{"spec", {{"type", "NodePort"}, {"selector", {{"app", "web"}}},
                                    {"ports", {{{"port", 8080}, {"targetPort", 8080}}}}}}})},
      {core + "/services",
       named("balancer", {{"spec", {{"type", "LoadBalancer"}, {"selector", {{"app", "web"}}},
                                    {"externalTrafficPolicy", "Local"},
                                    {"ports", {{{"port", 443}, {"protocol", "TCP"}}}}}}})},
      {core + "/services",
       named("db", {{"spec", {{"clusterIP", "None"}, {"selector", {{"app", "db"}}},
                              {"ports", {{{"port", 5432}}}}}}})},
      {core + "/services",
       named("external", {{"spec", {{"type", "ExternalName"}, {"externalName", "db.example.com"}}}})},
      {core + "/endpoints",
       named("manual", {{"subsets", {{{"addresses", {{{"ip", "192.0.2.10"}}}},
                                      {"ports", {{{"port", 9000}, {"protocol", "TCP"}}}}}}}})},
      {in("discovery.k8s.io/v1", "endpointslices"),
       named("manual-1", {{"addressType", "IPv4"},
                          {"endpoints", {{{"addresses", {"192.0.2.10"}},
                                          {"conditions", {{"ready", true}}}}}},
                          {"ports", {{{"name", "web"}, {"port", 9000}, {"protocol", "TCP"}}}}})},
      {cluster("networking.k8s.io/v1", "ingressclasses"),
       named(ns + "-nginx", {{"spec", {{"controller", "example.com/ingress"}}}})},
      {in("networking.k8s.io/v1", "ingresses"),
       named("web", {{"spec",
                      {{"ingressClassName", ns + "-nginx"},
                       {"tls", {{{"hosts", {"web.example.com"}}, {"secretName", "web-tls"}}}},
                       {"rules",
                        {{{"host", "web.example.com"},
                          {"http", {{"paths", {{{"path", "/"}, {"pathType", "Prefix"},
                                                {"backend", {{"service", {{"name", "web"},
                                                                          {"port", {{"number", 80}}}}}}}}}}}}}}}}}})},
      {in("networking.k8s.io/v1", "networkpolicies"),
       named("deny-but-web", {{"spec", {{"podSelector", json::object()},
                                        {"policyTypes", {"Ingress"}},
                                        {"ingress", {{{"from", {{{"podSelector", Selector("web")}}}},
                                                      {"ports", {{{"port", 8080}}}}}}}}}})},
      {in("coordination.k8s.io/v1", "leases"),
       named("leader", {{"spec", {{"holderIdentity", "web-0"}, {"leaseDurationSeconds", 15},
                                  {"renewTime", "2026-01-02T03:04:05.123456Z"}, {"leaseTransitions", 2}}}})},
      {core + "/events",
       named("web.1", {{"involvedObject", {{"kind", "Deployment"}, {"namespace", ns}, {"name", "web"}}},
                       {"reason", "ScalingReplicaSet"}, {"message", "Scaled up to 3"}, {"type", "Normal"},
                       {"count", 1}, {"firstTimestamp", "2026-01-02T03:04:05Z"},
                       {"source", {{"component", "test"}}}})},
      {in("events.k8s.io/v1", "events"),
       named("web.2", {{"eventTime", "2026-01-02T03:04:05.654321Z"}, {"reportingController", "example.com/test"},
                       {"reportingInstance", "test-1"}, {"action", "Scale"}, {"reason", "Scaled"},
                       {"type", "Normal"}, {"regarding", {{"kind", "Deployment"}, {"namespace", ns}, {"name", "web"}}}})},
      {in("rbac.authorization.k8s.io/v1", "roles"),
       named("reader", {{"rules", {{{"apiGroups", {""}}, {"resources", {"pods", "configmaps"}},
                                    {"verbs", {"get", "list", "watch"}}}}}})},
      {in("rbac.authorization.k8s.io/v1", "rolebindings"),
       named("reader", {{"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "reader"}}},
                        {"subjects", {{{"kind", "ServiceAccount"}, {"name", "builder"}, {"namespace", ns}}}}})},
      {cluster("rbac.authorization.k8s.io/v1", "clusterroles"),
       named(ns + "-reader", {{"rules", {{{"nonResourceURLs", {"/healthz"}}, {"verbs", {"get"}}}}}})},
      {cluster("rbac.authorization.k8s.io/v1", "clusterrolebindings"),
       named(ns + "-reader", {{"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"},
                                           {"name", ns + "-reader"}}},
                              {"subjects", {{{"kind", "Group"}, {"name", "ops"},
                                             {"apiGroup", "rbac.authorization.k8s.io"}}}}})},
      {in("policy/v1", "poddisruptionbudgets"),
       named("web", {{"spec", {{"minAvailable", "50%"}, {"selector", Selector("web")}}}})},
      {in("autoscaling/v2", "horizontalpodautoscalers"),
       named("web", {{"spec", {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
                               {"minReplicas", 2}, {"maxReplicas", 10},
                               {"metrics", {{{"type", "Resource"},
                                             {"resource", {{"name", "cpu"},
                                                           {"target", {{"type", "Utilization"},
                                                                       {"averageUtilization", 70}}}}}}}}}}})},
      {core + "/resourcequotas", named("quota", {{"spec", {{"hard", {{"pods", "50"}, {"requests.cpu", "8"}}}}}})},
      {core + "/limitranges",
       named("defaults", {{"spec", {{"limits", {{{"type", "Container"},
                                                 {"default", {{"memory", "256Mi"}}},
                                                 {"defaultRequest", {{"cpu", "100m"}}}}}}}}})},
      {cluster("storage.k8s.io/v1", "storageclasses"),
       named(ns + "-fast", {{"provisioner", "example.com/disk"}, {"reclaimPolicy", "Retain"},
                            {"parameters", {{"tier", "ssd"}}}, {"allowVolumeExpansion", true},
                            {"volumeBindingMode", "WaitForFirstConsumer"}})},
      {"/api/v1/persistentvolumes",
       named(ns + "-pv", {{"spec", {{"capacity", {{"storage", "5Gi"}}}, {"accessModes", {"ReadWriteOnce"}},
                                    {"hostPath", {{"path", "/srv/data"}}},
                                    {"storageClassName", ns + "-fast"}}}})},
      {core + "/persistentvolumeclaims",
       named("data", {{"spec", {{"accessModes", {"ReadWriteOnce"}}, {"storageClassName", ns + "-fast"},
                                {"resources", {{"requests", {{"storage", "2Gi"}}}}}}}})},
      {cluster("storage.k8s.io/v1", "csidrivers"),
       named(ns + ".csi.example.com", {{"spec", {{"attachRequired", false}, {"podInfoOnMount", true}}}})},
      {cluster("scheduling.k8s.io/v1", "priorityclasses"),
       named(ns + "-high", {{"value", 100000}, {"description", "important"}, {"preemptionPolicy", "Never"}})},
      {cluster("node.k8s.io/v1", "runtimeclasses"), named(ns + "-gvisor", {{"handler", "runsc"}})},
      {"/api/v1/nodes",
       named(ns + "-node-1", {{"metadata", {{"labels", {{"kubernetes.io/hostname", ns + "-node-1"}}}}},
                              {"spec", {{"podCIDR", "10.244.1.0/24"}, {"podCIDRs", {"10.244.1.0/24"}},
                                        {"taints", {{{"key", "dedicated"}, {"value", "app"},
                                                     {"effect", "NoSchedule"}}}}}}})},
      {cluster("admissionregistration.k8s.io/v1", "validatingadmissionpolicies"),
       named(ns + "-replicas", {{"spec", {{"failurePolicy", "Fail"},
                                          {"matchConstraints",
                                           {{"resourceRules", {{{"apiGroups", {"apps"}}, {"apiVersions", {"v1"}},
                                                                {"operations", {"CREATE", "UPDATE"}},
                                                                {"resources", {"deployments"}}}}}}},
                                          {"validations", {{{"expression", "object.spec.replicas <= 50"},
                                                            {"message", "too many replicas"}}}}}}})},
      {cluster("admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings"),
       named(ns + "-replicas", {{"spec", {{"policyName", ns + "-replicas"}, {"validationActions", {"Deny"}},
                                          {"matchResources", {{"namespaceSelector",
                                                               {{"matchLabels", {{"team", "ketcd"}}}}}}}}}})},
      {cluster("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations"),
       named(ns + "-hook", {{"webhooks", {{{"name", "check." + ns + ".example.com"},
                                           {"clientConfig", {{"url", "https://hook.example.com/check"}}},
                                           {"rules", {{{"apiGroups", {"example.com"}}, {"apiVersions", {"v1"}},
                                                       {"operations", {"CREATE"}}, {"resources", {"widgets"}}}}},
                                           {"failurePolicy", "Ignore"}, {"sideEffects", "None"},
                                           {"admissionReviewVersions", {"v1"}}, {"timeoutSeconds", 3}}}}})},
  };
  for (const auto& [path, body] : objects) {
    auto created = server.Create(path, body);
    if (!created.ok()) return created.status();
  }
  KETCD_RETURN_IF_ERROR(CreateCustomResourceDefinition(server, "example.com", "Widget", "widgets", true));
  for (const std::string name : {"small", "large"}) {
    json widget = {{"apiVersion", "example.com/v1"},
                   {"kind", "Widget"},
                   {"metadata", {{"name", name}, {"labels", {{"size", name}}}}},
                   {"spec", {{"size", name}, {"replicas", 3}, {"ratio", 0.5}, {"tags", {"a", "b"}}}}};
    auto created = server.Create(in("example.com/v1", "widgets"), widget);
    if (!created.ok()) return created.status();
  }
  return Status::Ok();
}

Status CreateCustomResourceDefinition(const KubeApiServer& server, const std::string& group,
                                      const std::string& kind, const std::string& plural, bool namespaced) {
  json definition = json::parse(R"({"spec": {"versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}})");
  definition["metadata"]["name"] = plural + "." + group;
  definition["spec"]["group"] = group;
  definition["spec"]["scope"] = namespaced ? "Namespaced" : "Cluster";
  definition["spec"]["names"] = {{"plural", plural}, {"kind", kind}};
  auto created = server.Create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition);
  if (!created.ok()) return created.status();
  // Served once the API server has read the definition back.
  const std::string list = "/apis/" + group + "/v1/" + plural;
  for (int attempt = 0; attempt < 60; ++attempt) {
    auto response = server.Request("GET", list);
    if (response.ok() && response->code == 200) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Unavailable(list + " not served 30 s after its definition was created");
}

}  // namespace ketcd::testing
