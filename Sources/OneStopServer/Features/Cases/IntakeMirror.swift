import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import Vapor

/// 分屏: while a clerk types an intake, the screen turned to the visitor at that window (its
/// evaluator) shows what is being entered, for the visitor to check and confirm. Drafts live in
/// memory only, per window, for 15 minutes; nothing of them is stored, and a confirmation only
/// counts for the very draft the visitor saw.
final class IntakeMirror: Sendable {
    struct Draft: Content {
        struct Material: Content, Equatable {
            var name: String
            var status: String
        }
        var itemName: String
        var name: String
        var idNumber: String
        var phone: String
        var materials: [Material]
        /// Bumped by every change; a confirmation names the one it confirms.
        var version: Int = 0
        var confirmed: Bool = false
        /// The visitor said something is wrong.
        var disputed: Bool = false
        var at: Date = .distantPast

        init(_ t: Typed) {
            (itemName, name, idNumber, phone) = (t.itemName ?? "", t.name ?? "", t.idNumber ?? "", t.phone ?? "")
            materials = Array((t.materials ?? []).prefix(60))
        }
    }

    /// What the intake page sends: the fields as typed so far.
    struct Typed: Content {
        var itemName: String?
        var name: String?
        var idNumber: String?
        var phone: String?
        var materials: [Draft.Material]?
    }

    static let lifetime: TimeInterval = 15 * 60
    private let drafts = NIOLockedValueBox<[UUID: Draft]>([:])

    func put(_ d: Draft, window: UUID, now: Date) -> Draft {
        drafts.withLockedValue { all in
            var d = d
            let previous = all[window]
            let same =
                previous.map {
                    [$0.itemName, $0.name, $0.idNumber, $0.phone] == [d.itemName, d.name, d.idNumber, d.phone]
                        && $0.materials == d.materials
                } ?? false
            if same, let previous, now.timeIntervalSince(previous.at) < Self.lifetime { return previous }
            d.version = (previous?.version ?? 0) + 1
            d.confirmed = false
            d.disputed = false
            d.at = now
            all[window] = d
            return d
        }
    }

    func get(_ window: UUID, now: Date) -> Draft? {
        drafts.withLockedValue { all in
            guard let d = all[window], now.timeIntervalSince(d.at) < Self.lifetime else {
                all[window] = nil
                return nil
            }
            return d
        }
    }

    /// The visitor's answer to the draft of this version; false when it has changed since.
    func answer(_ window: UUID, version: Int, confirmed: Bool, now: Date) -> Bool {
        drafts.withLockedValue { all in
            guard var d = all[window], d.version == version, now.timeIntervalSince(d.at) < Self.lifetime else { return false }
            d.confirmed = confirmed
            d.disputed = !confirmed
            all[window] = d
            return true
        }
    }

    func clear(_ window: UUID) { drafts.withLockedValue { $0[window] = nil } }

    /// The window the member of staff sits at now.
    static func window(of p: Principal, on db: any Database) async throws -> WindowStateModel? {
        try await WindowStateModel.query(on: db).filter(\.$userID == p.id).first()
    }

    struct Status: Content {
        var window: Int?
        var version: Int?
        var confirmed: Bool
        var disputed: Bool
    }

    struct Answer: Content {
        var version: Int
        var confirmed: Bool
    }

    static func register(pages app: any RoutesBuilder, api: any RoutesBuilder) {
        // The clerk's intake page sends what is typed and reads the visitor's answer.
        app.endpoint(.PUT, "desk", "mirror", access: CaseAccess.handlers) { req -> Status in
            let p = try req.requirePrincipal()
            guard let seat = try await window(of: p, on: req.db), let w = seat.id else { return Status(confirmed: false, disputed: false) }
            let d = req.application.intakeMirror.put(Draft(try req.content.decode(Typed.self)), window: w, now: req.now)
            req.application.hub.publish(center: seat.centerID, HallEvent(kind: .window, windowID: w))
            return Status(window: try await WindowModel.find(w, on: req.db)?.number, version: d.version, confirmed: false, disputed: false)
        }
        app.endpoint(.GET, "desk", "mirror", access: CaseAccess.handlers) { req -> Status in
            let p = try req.requirePrincipal()
            guard let seat = try await window(of: p, on: req.db), let w = seat.id, let d = req.application.intakeMirror.get(w, now: req.now)
            else { return Status(confirmed: false, disputed: false) }
            return Status(window: nil, version: d.version, confirmed: d.confirmed, disputed: d.disputed)
        }
        api.endpoint(
            .GET, "windows", ":id", "mirror", access: .only(.windowEvaluator),
            operation: .init(
                id: "intakeMirror", summary: "分屏: what the clerk at this window is entering (none or one), for the visitor to check",
                tag: "Queue", response: "IntakeMirror", responseIsList: true)
        ) { req -> Response in
            let w = try req.uuid("id")
            guard try req.requirePrincipal().windowID == w else { throw Abort(.forbidden) }
            let d = req.application.intakeMirror.get(w, now: req.now)
            let res = try await (d.map { [$0] } ?? []).encodeResponse(for: req)
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return res
        }
        api.endpoint(
            .POST, "windows", ":id", "mirror", "answer", access: .only(.windowEvaluator),
            operation: .init(
                id: "answerIntakeMirror", summary: "分屏: the visitor confirms the draft they saw (by version), or says it is wrong",
                tag: "Queue", request: "IntakeMirrorAnswer")
        ) { req -> HTTPStatus in
            let w = try req.uuid("id")
            guard try req.requirePrincipal().windowID == w else { throw Abort(.forbidden) }
            let a = try req.content.decode(Answer.self)
            guard req.application.intakeMirror.answer(w, version: a.version, confirmed: a.confirmed, now: req.now) else {
                throw Abort(.conflict, reason: req.t("mirror.changed"))
            }
            return .noContent
        }
    }
}

extension Application {
    private struct IntakeMirrorKey: StorageKey { typealias Value = IntakeMirror }
    var intakeMirror: IntakeMirror {
        if let m = storage[IntakeMirrorKey.self] { return m }
        let m = IntakeMirror()
        storage[IntakeMirrorKey.self] = m
        return m
    }
}
