import Crypto
import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// Notifications, written in the same transaction as the change they tell of, then delivered by a
/// worker with retries: into users' in-app inboxes, and as HMAC-signed POSTs to the center's
/// webhooks. A delivery interrupted by a restart is simply made again (the inbox keys its messages
/// by the outbox id; a webhook receiver deduplicates by `X-OneStop-Delivery`).
enum Outbox {
    struct Message: Codable, Sendable {
        var title: String
        var body: String
        var link: String
        var data: [String: String]
    }

    static let maxAttempts = 8

    /// Queues a message for each user and for each of the center's webhooks that wants the event.
    static func enqueue(
        _ event: String, _ message: Message, users: [UUID], center: UUID, at millis: Int64, on db: any Database
    ) async throws {
        let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
        func row(_ channel: String, _ target: String) -> OutboxModel {
            let o = OutboxModel()
            o.id = UUID.timeOrdered()
            o.channel = channel
            o.target = target
            o.event = event
            o.payload = payload
            o.createdAt = millis
            o.attempts = 0
            o.nextAttemptAt = millis
            o.failed = false
            o.lastError = ""
            return o
        }
        for user in Set(users) { try await row("inbox", user.uuidString).create(on: db) }
        let hooks = try await WebhookModel.query(on: db).filter(\.$centerID == center).filter(\.$active == true).all()
        for hook in hooks where wants(hook.events, event) { try await row("webhook", hook.id!.uuidString).create(on: db) }
    }

    /// The outbox's columns, for `rows`.
    static let columns = "id, channel, target, event, payload, created_at, attempts, next_attempt_at, failed, last_error"

    /// The rows that queue a message for each user and each of `hooks` that wants the event, to
    /// insert with many others (`SQLRows.insert(into: "outbox", columns: Outbox.columns, …)`).
    static func rows(
        _ event: String, _ message: Message, users: [UUID], hooks: [WebhookModel], at millis: Int64, sql: any SQLDatabase
    ) throws -> [[any SQLExpression]] {
        let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
        let targets =
            Set(users).map { ("inbox", $0.uuidString) }
            + hooks.filter { wants($0.events, event) }.compactMap { h in h.id.map { ("webhook", $0.uuidString) } }
        return targets.map { channel, target in
            [
                sql.bind(id: UUID.timeOrdered()), SQLBind(channel), SQLBind(target), SQLBind(event), SQLBind(payload), SQLBind(millis),
                SQLBind(0), SQLBind(millis), SQLBind(false), SQLBind(""),
            ]
        }
    }

    static func wants(_ events: String, _ event: String) -> Bool {
        events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains { $0 == "*" || $0 == event }
    }

    /// `sha256=<hex>` of HMAC-SHA256 over the body with the webhook's secret.
    static func signature(_ body: [UInt8], secret: String) -> String {
        "sha256=" + Digest.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// The body a webhook receives.
    struct WebhookBody: Codable {
        var id: String
        var event: String
        var occurredAt: Int64
        var message: Message
    }

    /// Delivers what is due; returns how many were delivered. Safe to run on several instances:
    /// each entry is claimed by pushing its next attempt forward before it is tried.
    @discardableResult
    static func deliverDue(app: Application, now: Date, limit: Int = 100) async throws -> Int {
        let millis = Int64(now.timeIntervalSince1970 * 1000)
        let due = try await OutboxModel.query(on: app.db).filter(\.$deliveredAt == nil).filter(\.$failed == false)
            .filter(\.$nextAttemptAt <= millis).sort(\.$nextAttemptAt).limit(limit).all()
        var delivered = 0
        for entry in due {
            // Claim: only the instance whose update still sees the old attempt time goes on.
            let claimed = try await claim(entry, until: millis + 60_000, on: app.db)
            guard claimed else { continue }
            do {
                try await deliver(entry, app: app, millis: millis)
                entry.deliveredAt = millis
                entry.attempts += 1
                entry.lastError = ""
                try await entry.save(on: app.db)
                delivered += 1
            } catch {
                entry.attempts += 1
                entry.lastError = String(String(describing: error).prefix(500))
                if entry.attempts >= maxAttempts {
                    entry.failed = true
                } else {
                    entry.nextAttemptAt = millis + min(Int64(10_000) << Int64(entry.attempts - 1), 3_600_000)
                }
                try await entry.save(on: app.db)
                app.logger.warning("outbox delivery failed", metadata: ["id": "\(entry.id!)", "error": "\(entry.lastError)"])
            }
        }
        return delivered
    }

    private static func claim(_ entry: OutboxModel, until: Int64, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return true }
        struct Row: Decodable { var id: UUID }
        let rows = try await sql.update("outbox").set("next_attempt_at", to: until)
            .where("id", .equal, entry.id!).where("next_attempt_at", .equal, entry.nextAttemptAt).where(
                "delivered_at", .is, SQLLiteral.null
            )
            .returning("id").all(decoding: Row.self)
        if !rows.isEmpty { entry.nextAttemptAt = until }
        return !rows.isEmpty
    }

    private static func deliver(_ entry: OutboxModel, app: Application, millis: Int64) async throws {
        let message = try JSONDecoder().decode(Message.self, from: Data(entry.payload.utf8))
        switch entry.channel {
        case "inbox":
            guard let user = UUID(uuidString: entry.target) else { throw Abort(.internalServerError, reason: "bad inbox target") }
            if try await InboxMessageModel.find(entry.id, on: app.db) != nil { return }
            let m = InboxMessageModel()
            m.id = entry.id
            m.userID = user
            m.event = entry.event
            m.title = message.title
            m.body = message.body
            m.link = message.link
            m.createdAt = entry.createdAt
            try await m.create(on: app.db)
        case "webhook":
            guard let id = UUID(uuidString: entry.target), let hook = try await WebhookModel.find(id, on: app.db), hook.active else {
                throw Abort(.gone, reason: "webhook removed")
            }
            var message = message
            // The SMS gateway needs the applicant's phone, which the outbox does not keep: it is
            // read, sealed as stored, only as the message leaves.
            if entry.event == "rating.invite", let a = message.data["applicant"].flatMap(UUID.init(uuidString:)),
                let applicant = try await ApplicantModel.find(a, on: app.db)
            {
                message.data["phone"] = applicant.phone
            }
            if entry.event == "vote.code", let c = message.data["voteCode"].flatMap(UUID.init(uuidString:)),
                let row = try await VoteCodeModel.find(c, on: app.db)
            {
                message.data["phone"] = row.phone
            }
            let body = try JSONEncoder.sorted.encode(
                WebhookBody(id: entry.id!.uuidString.lowercased(), event: entry.event, occurredAt: entry.createdAt, message: message))
            var headers = HTTPHeaders()
            headers.contentType = .json
            headers.add(name: "X-OneStop-Event", value: entry.event)
            headers.add(name: "X-OneStop-Delivery", value: entry.id!.uuidString.lowercased())
            headers.add(name: "X-OneStop-Signature", value: signature(Array(body), secret: hook.secret))
            let response = try await app.client.post(URI(string: hook.url), headers: headers) { req in
                req.body = ByteBuffer(data: body)
                req.timeout = .seconds(10)
            }
            guard (200..<300).contains(response.status.code) else {
                throw Abort(.badGateway, reason: "webhook answered \(response.status.code)")
            }
        default:
            throw Abort(.internalServerError, reason: "unknown channel \(entry.channel)")
        }
    }
}

struct OutboxWorkerLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsBackgroundJobs else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(3), delay: .seconds(2)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do {
                    try await Outbox.deliverDue(app: app, now: app.clock.now())
                } catch {
                    app.logger.warning("outbox run failed: \(error)")
                }
            }
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}
