import Foundation
import Prometheus
import Vapor

/// Request counts and latencies for `/metrics`, labelled by route template (not raw path), so
/// the number of series stays bounded.
struct MetricsMiddleware: Middleware {
    let registry: PrometheusCollectorRegistry

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "onestop", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route and status")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "onestop", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer a request")
    }

    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        return next.respond(to: req).always { result in
            let status: Int
            switch result {
            case .success(let response): status = Int(response.status.code)
            case .failure(let e as any AbortError): status = Int(e.status.code)
            case .failure: status = 500
            }
            let route = req.route?.pathString ?? "unmatched"
            let labels = [("method", req.method.rawValue), ("route", route), ("status", String(status))]
            registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
            registry.makeDurationHistogram(
                descriptor: Self.duration, labels: [("route", route)],
                buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(100), .milliseconds(500), .seconds(2)]
            ).record(ContinuousClock.now - start)
        }
    }
}

extension Application {
    private struct RegistryKey: StorageKey { typealias Value = PrometheusCollectorRegistry }

    var metricsRegistry: PrometheusCollectorRegistry {
        if let r = storage[RegistryKey.self] { return r }
        let r = PrometheusCollectorRegistry()
        storage[RegistryKey.self] = r
        return r
    }
}
