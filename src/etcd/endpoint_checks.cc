#include "etcd/endpoint_checks.h"

#include "util/string_building.h"

#include <future>

namespace ketcd::etcd {

std::vector<EndpointReport> CheckEndpoints(std::vector<std::unique_ptr<EtcdClient>>& clients,
                                           const EndpointCheck& check) {
  std::vector<EndpointReport> reports(clients.size());
  std::vector<std::future<void>> running;
  for (size_t i = 0; i < clients.size(); ++i) {
    reports[i].endpoint = clients[i]->endpoints()[0].text;
    running.push_back(std::async(std::launch::async, [&, i] {
      Status connected = clients[i]->Connect();
      if (!connected.ok()) {
        reports[i].error = connected;
        return;
      }
      reports[i].reachable = true;
      const auto start = std::chrono::steady_clock::now();
      check(*clients[i], reports[i]);
      reports[i].took =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    }));
  }
  for (auto& task : running) task.get();
  return reports;
}

void CheckEndpointHealth(EtcdClient& client, EndpointReport& report) {
  pb::RangeRequest request;
  request.set_key("health");
  auto read = client.Range(request);
  if (!read.ok() && read.status().message().find("permission denied") == std::string::npos) {
    report.error = read.status();
    return;
  }
  pb::AlarmRequest alarms;
  alarms.set_action(pb::AlarmRequest::GET);
  auto response = client.Alarm(alarms);
  if (!response.ok()) {
    report.error = response.status();
    return;
  }
  std::string active;
  for (const auto& alarm : response->alarms()) {
    AppendToList(active, pb::AlarmType_Name(alarm.alarm()), ", ");
  }
  if (!active.empty()) report.error = Failed("active alarm(s): " + active);
}

void CheckEndpointStatus(EtcdClient& client, EndpointReport& report) {
  auto status = client.EndpointStatus(0);
  if (status.ok()) {
    report.status = std::move(*status);
  } else {
    report.error = status.status();
  }
}

Status EndpointsVerdict(const std::vector<EndpointReport>& reports, const std::string& what) {
  size_t failed = 0, unreachable = 0;
  for (const auto& report : reports) {
    if (!report.error.ok()) ++failed;
    if (!report.reachable) ++unreachable;
  }
  if (failed == 0) return Status::Ok();
  if (unreachable == reports.size()) return Unavailable("no endpoint reachable: " + reports[0].error.message());
  return Failed(std::to_string(failed) + " of " + std::to_string(reports.size()) + " endpoints " + what);
}

}  // namespace ketcd::etcd
