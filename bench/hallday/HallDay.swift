// The hall-day simulator: drives a running OneStop over HTTP through a compressed working day.
// N windows (each with a signed-in clerk and an evaluator device) and M tickets arriving on a
// two-peak curve (the morning rush, a lunch lull, an afternoon peak); every ticket goes through a
// full lifecycle: issue, call-next, start, finish, rate. Reports lifecycles per second, the
// latency of call-next (p50, p99) and of every step, and checks that no ticket was called twice
// or left behind and that no number repeats.
//
//   bench-hallday --base http://127.0.0.1:18090 --password … [--windows 100] [--tickets 5000]
//                 [--seconds 5] [--center DL010200] [--pid 1234[,5678]]
//                 [--rate 250 --duration 20 [--service-ms 320]]
//
// Saturated (the default): `--seconds` is the length of the compressed day over which tickets
// arrive; windows call again the moment a visit ends and work until the queue is empty.
// Open loop (`--rate`): tickets arrive as a Poisson stream at the rate given for `--duration`
// seconds; each window calls only when free, and serves for a time drawn from an exponential
// distribution (mean `--service-ms`, by default 80 % of the windows' capacity at that rate), so
// latency is measured at a stated offered load rather than at saturation.
// `--pid` names the server process(es): their user + system CPU time over the measured interval
// (from /proc/<pid>/stat) is reported per lifecycle and per request.
// Set-up (windows, clerks, devices) is not timed. Run by bench/hallday.sh.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

struct Options {
    var base = "http://127.0.0.1:18090"
    var password = ""
    var windows = 100
    var tickets = 5000
    var seconds = 5.0
    var center = "DL010200"
    var pids: [Int32] = []
    /// Open loop: lifecycles per second offered, for this many seconds; 0 is saturated.
    var rate = 0.0
    var duration = 20.0
    var serviceMillis = 0.0

    init(_ args: [String]) {
        var i = 1
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--base": base = v
            case "--password": password = v
            case "--windows": windows = Int(v) ?? windows
            case "--tickets": tickets = Int(v) ?? tickets
            case "--seconds": seconds = Double(v) ?? seconds
            case "--center": center = v
            case "--pid": pids = v.split(separator: ",").compactMap { Int32($0) }
            case "--rate": rate = Double(v) ?? rate
            case "--duration": duration = Double(v) ?? duration
            case "--service-ms": serviceMillis = Double(v) ?? serviceMillis
            default: break
            }
            i += 2
        }
    }
}

struct Failure: Error, CustomStringConvertible { var description: String }

/// Latencies in microseconds per step, safe to add to from many tasks.
actor Stats {
    var samples: [String: [Double]] = [:]
    var calledIDs: [String] = []
    var numbers: [String] = []
    var done = 0
    var errors: [String] = []

    func add(_ step: String, _ micros: Double) { samples[step, default: []].append(micros) }
    /// Requests slower than 200 ms, by when they ended (seconds into the day), to tell a stall at
    /// the start from a periodic one.
    var slow: [(Double, Double)] = []
    func slowOne(at: Double, _ micros: Double) { if micros > 200_000 { slow.append((at, micros)) } }
    func called(_ id: String) { calledIDs.append(id) }
    func issued(_ number: String) { numbers.append(number) }
    func finishedOne() { done += 1 }
    func error(_ e: String) { if errors.count < 20 { errors.append(e) } }
    func snapshot() -> ([String: [Double]], [String], [String], Int, [String]) { (samples, calledIDs, numbers, done, errors) }
    func doneCount() -> Int { done }

    /// Open loop: tickets issued and not yet claimed by a window. A free window claims one before
    /// it calls, as a console hears "a ticket is waiting" over its socket instead of polling.
    var unclaimed = 0
    func arrived() { unclaimed += 1 }
    func claim() -> Bool {
        guard unclaimed > 0 else { return false }
        unclaimed -= 1
        return true
    }
}

final class API: Sendable {
    let client: HTTPClient
    let base: String

    init(base: String, connections: Int) {
        var config = HTTPClient.Configuration()
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        config.timeout = .init(connect: .seconds(10), read: .seconds(60))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        self.base = base
    }

    /// Sends JSON and returns the decoded JSON object (or nil for an empty body) and the status.
    func send(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, token: String? = nil) async throws -> (Int, Any?) {
        var req = HTTPClientRequest(url: base + path)
        req.method = method
        req.headers.add(name: "accept", value: "application/json")
        if let token { req.headers.add(name: "authorization", value: "Bearer " + token) }
        if let body {
            req.headers.add(name: "content-type", value: "application/json")
            req.body = .bytes(ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: body))))
        }
        let res = try await client.execute(req, timeout: .seconds(60))
        let bytes = try await res.body.collect(upTo: 4 << 20)
        let json = bytes.readableBytes == 0 ? nil : try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        return (Int(res.status.code), json)
    }

    func ok(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, token: String? = nil) async throws -> [String: Any] {
        let (status, json) = try await send(method, path, body, token: token)
        guard (200..<300).contains(status) else { throw Failure(description: "\(method) \(path): \(status) \(json ?? "")") }
        return json as? [String: Any] ?? [:]
    }

    func list(_ path: String, token: String) async throws -> [[String: Any]] {
        let (status, json) = try await send(.GET, path, token: token)
        guard status == 200, let a = json as? [[String: Any]] else { throw Failure(description: "GET \(path): \(status)") }
        return a
    }
}

/// User + system CPU seconds a process has used so far, from /proc/<pid>/stat (fields 14 and 15,
/// in clock ticks), summed over the processes given; nil when one cannot be read.
func cpuSeconds(_ pids: [Int32]) -> Double? {
    var ticks = 0
    for pid in pids {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        ticks += user + system
    }
    return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// An exponential draw of the mean given (Poisson arrivals, service times).
func exponential(mean: Double) -> Double { -mean * log(1 - Double.random(in: 0..<1)) }

func micros(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
}

func percentile(_ v: [Double], _ q: Double) -> Double {
    guard !v.isEmpty else { return 0 }
    let s = v.sorted()
    return s[min(s.count - 1, max(0, Int((q / 100 * Double(s.count)).rounded(.up)) - 1))]
}

/// The share of the day's tickets that have arrived by fraction `x` of the day: two peaks
/// (9–11 and 14–16 in an 8-hour day) over a low base, as a hall sees them.
func arrivalShare(_ x: Double) -> Double {
    func density(_ t: Double) -> Double {
        0.4 + 1.6 * exp(-pow((t - 0.2) / 0.1, 2)) + 1.2 * exp(-pow((t - 0.7) / 0.1, 2)) - 0.3 * exp(-pow((t - 0.45) / 0.06, 2))
    }
    let steps = 400
    var total = 0.0
    var upTo = 0.0
    for i in 0..<steps {
        let t = (Double(i) + 0.5) / Double(steps)
        total += density(t)
        if t <= x { upTo += density(t) }
    }
    return upTo / total
}

@main
struct HallDay {
    static func main() async throws {
        let o = Options(CommandLine.arguments)
        let api = API(base: o.base, connections: o.windows + 64)

        // --- set-up (not timed) ---
        let admin = try await api.ok(.POST, "/api/v1/auth/login", ["username": "admin", "password": o.password])["token"] as! String
        let centers = try await api.list("/api/v1/centers", token: admin)
        guard let county = centers.first(where: { $0["code"] as? String == o.center })?["id"] as? String else {
            throw Failure(description: "no center \(o.center)")
        }
        let today = {
            let f = DateFormatter()
            f.timeZone = TimeZone(identifier: "Asia/Shanghai")
            f.dateFormat = "yyyy-MM-dd"
            return f.string(from: Date())
        }()
        let day = try await api.ok(.GET, "/api/v1/centers/\(county)/calendar/days/\(today)")
        if day["isWorkingDay"] as? Bool != true {
            _ = try await api.ok(
                .PUT, "/api/v1/centers/\(county)/calendar/days/\(today)", ["kind": "makeup_workday", "name": "bench"], token: admin)
        }
        var windowIDs: [Int: String] = [:]
        for w in try await api.list("/api/v1/windows?centerID=\(county)", token: admin) {
            windowIDs[w["number"] as! Int] = (w["id"] as! String)
        }
        for n in 1...o.windows where windowIDs[n] == nil {
            let w = try await api.ok(
                .POST, "/api/v1/windows", ["centerID": county, "number": n, "name": "综合窗口\(n)", "kind": "comprehensive"], token: admin)
            windowIDs[n] = (w["id"] as! String)
        }
        let prefix = "Z"
        _ = try await api.send(
            .POST, "/api/v1/centers/\(county)/queue/groups", ["prefix": prefix, "name": "模拟", "windows": Array(1...o.windows)],
            token: admin)
        print("setting up \(o.windows) clerks and evaluators…")
        struct Seat: Sendable {
            var number: Int
            var window: String
            var clerk: String
            var device: String
        }
        let windowMap = windowIDs
        let seats = try await withThrowingTaskGroup(of: Seat.self) { group in
            var made: [Seat] = []
            var next = 1
            func add(_ n: Int) {
                group.addTask {
                    let name = "bench\(n)"
                    _ = try? await api.send(
                        .POST, "/api/v1/users",
                        [
                            "username": name, "displayName": name, "password": "Bench-Clerk-2026", "role": "window_staff",
                            "centerID": county,
                        ], token: admin)
                    let clerk =
                        try await api.ok(.POST, "/api/v1/auth/login", ["username": name, "password": "Bench-Clerk-2026"])["token"]
                        as! String
                    let window = windowMap[n]!
                    _ = try await api.ok(.POST, "/api/v1/windows/\(window)/sign-in", token: clerk)
                    let device =
                        try await api.ok(
                            .POST, "/api/v1/devices",
                            ["label": "bench \(n)", "role": "window_evaluator", "centerID": county, "windowID": window], token: admin)[
                            "token"] as! String
                    return Seat(number: n, window: window, clerk: clerk, device: device)
                }
            }
            while next <= min(4, o.windows) {
                add(next)
                next += 1
            }
            for try await s in group {
                made.append(s)
                if next <= o.windows {
                    add(next)
                    next += 1
                }
            }
            return made
        }

        // --- the day ---
        let stats = Stats()
        let openLoop = o.rate > 0
        let total = openLoop ? Int((o.rate * o.duration).rounded()) : o.tickets
        // Open loop: 80 % of the windows' capacity at the offered rate, unless given.
        let serviceSeconds = o.serviceMillis > 0 ? o.serviceMillis / 1000 : 0.8 * Double(o.windows) / max(o.rate, 1)
        let cpuBefore = cpuSeconds(o.pids)
        let start = ContinuousClock.now
        // When the day started, to the millisecond (UTC): a stall's seconds into the day read
        // against the server's log.
        let began = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        print("the day starts at \(began)")
        if openLoop {
            print(
                String(
                    format: "running open loop: %.0f lifecycles/s offered for %.0f s (%d tickets), %d windows, mean service %.0f ms",
                    o.rate, o.duration, total, o.windows, serviceSeconds * 1000))
        } else {
            print("running: \(total) tickets over a \(o.seconds) s day, \(o.windows) windows")
        }
        await withTaskGroup(of: Void.self) { group in
            // Saturated: ticket i arrives when the day's curve reaches i/total. Open loop: a Poisson
            // stream at the offered rate. 32 kiosks and phones send them.
            var arrivals: [Double] = []
            if openLoop {
                var at = 0.0
                for _ in 0..<total {
                    at += exponential(mean: 1 / o.rate)
                    arrivals.append(at)
                }
            } else {
                arrivals = (0..<total).map { i -> Double in
                    let target = (Double(i) + 0.5) / Double(total)
                    var lo = 0.0
                    var hi = 1.0
                    for _ in 0..<30 {
                        let mid = (lo + hi) / 2
                        if arrivalShare(mid) < target { lo = mid } else { hi = mid }
                    }
                    return lo * o.seconds
                }
            }
            let due = arrivals
            let issuers = openLoop ? 64 : 32
            for k in 0..<issuers {
                group.addTask {
                    for i in stride(from: k, to: total, by: issuers) {
                        let due = start + .microseconds(Int64(due[i] * 1e6))
                        if ContinuousClock.now < due { try? await Task.sleep(until: due) }
                        let t0 = ContinuousClock.now
                        do {
                            let t = try await api.ok(.POST, "/api/v1/tickets", ["center": o.center, "group": prefix])
                            let took = micros(since: t0)
                            await stats.add("issue", took)
                            await stats.slowOne(at: micros(since: start) / 1e6, took)
                            await stats.issued(t["number"] as? String ?? "")
                            await stats.arrived()
                        } catch { await stats.error("\(error)") }
                    }
                }
            }
            for seat in seats {
                group.addTask {
                    while await stats.doneCount() < total {
                        // Open loop: a free window calls only when a ticket waits.
                        if openLoop, await !stats.claim() {
                            try? await Task.sleep(for: .milliseconds(5))
                            continue
                        }
                        do {
                            let t0 = ContinuousClock.now
                            let r = try await api.ok(.POST, "/api/v1/windows/\(seat.window)/call-next", token: seat.clerk)
                            let us = micros(since: t0)
                            guard let t = r["ticket"] as? [String: Any], let id = t["id"] as? String else {
                                // The ticket claimed went to another window first: give it back.
                                if openLoop { await stats.arrived() }
                                await stats.add("call-next (none waiting)", us)
                                try? await Task.sleep(for: .milliseconds(20))
                                continue
                            }
                            await stats.add("call-next", us)
                            await stats.slowOne(at: micros(since: start) / 1e6, us)
                            await stats.called(id)
                            let t1 = ContinuousClock.now
                            _ = try await api.ok(.POST, "/api/v1/tickets/\(id)/start", ["window": seat.window], token: seat.clerk)
                            await stats.add("start", micros(since: t1))
                            // Open loop: the visit takes its time; saturated: none.
                            if openLoop { try? await Task.sleep(for: .microseconds(Int64(exponential(mean: serviceSeconds) * 1e6))) }
                            let t2 = ContinuousClock.now
                            _ = try await api.ok(.POST, "/api/v1/tickets/\(id)/finish", ["window": seat.window], token: seat.clerk)
                            await stats.add("finish", micros(since: t2))
                            let t3 = ContinuousClock.now
                            _ = try await api.ok(
                                .POST, "/api/v1/tickets/\(id)/rating", ["level": 5, "tags": [String]()], token: seat.device)
                            await stats.add("rate", micros(since: t3))
                            await stats.finishedOne()
                        } catch {
                            await stats.error("\(error)")
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
        }
        let elapsed = micros(since: start) / 1e6
        let cpuAfter = cpuSeconds(o.pids)
        let (samples, called, numbers, done, errors) = await stats.snapshot()
        let requests = samples.values.reduce(0) { $0 + $1.count }
        print("")
        print(
            String(
                format: "lifecycles: %d in %.2f s = %.0f lifecycles/s (%.0f requests/s)", done, elapsed, Double(done) / elapsed,
                Double(requests) / elapsed))
        if openLoop {
            print(String(format: "offered %.0f lifecycles/s, achieved %.0f lifecycles/s", o.rate, Double(done) / elapsed))
        }
        if let a = cpuBefore, let b = cpuAfter, done > 0 {
            // Requests that carry a lifecycle: issue, call-next that called, start, finish, rate.
            let lifecycleRequests = ["issue", "call-next", "start", "finish", "rate"].reduce(0) { $0 + (samples[$1]?.count ?? 0) }
            print(
                String(
                    format: "server CPU: %.2f s = %.3f ms per lifecycle, %.3f ms per request (%d requests, %d of them idle polls); %.2f cores",
                    b - a, (b - a) * 1000 / Double(done), (b - a) * 1000 / Double(max(requests, 1)), requests,
                    requests - lifecycleRequests, (b - a) / elapsed))
        }
        for step in ["issue", "call-next", "call-next (none waiting)", "start", "finish", "rate"] {
            let v = samples[step] ?? []
            print(
                String(
                    format: "%-26@ n=%6d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms", step as NSString, v.count, percentile(v, 50) / 1000,
                    percentile(v, 99) / 1000, (v.max() ?? 0) / 1000))
        }
        let slow = await stats.slow.sorted { $0.0 < $1.0 }
        if !slow.isEmpty {
            // Group the slow requests into stalls: those ending within a second of each other.
            var stalls: [(from: Double, to: Double, n: Int, worst: Double)] = []
            for (at, us) in slow {
                if let last = stalls.last, at - last.to < 1 {
                    stalls[stalls.count - 1] = (last.from, at, last.n + 1, max(last.worst, us))
                } else {
                    stalls.append((at, at, 1, us))
                }
            }
            print(
                "slow requests (> 200 ms): \(slow.count), in \(stalls.count) stall(s): "
                    + stalls.prefix(12).map { String(format: "%.1f–%.1f s (%d, worst %.0f ms)", $0.from, $0.to, $0.n, $0.worst / 1000) }
                    .joined(separator: "; "))
        }
        let duplicates = called.count - Set(called).count
        let repeatedNumbers = numbers.count - Set(numbers).count
        print("called twice: \(duplicates); numbers repeated: \(repeatedNumbers); tickets issued: \(numbers.count)")
        if !errors.isEmpty { print("errors (first \(errors.count)):\n  " + errors.joined(separator: "\n  ")) }
        try await api.client.shutdown()
        if duplicates > 0 || repeatedNumbers > 0 || done != total { throw Failure(description: "the day did not end cleanly") }
    }
}
