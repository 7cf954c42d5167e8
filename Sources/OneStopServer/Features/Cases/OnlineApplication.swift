import Fluent
import Foundation
import OneStopCore
import Vapor

/// Applying online: an applicant's submission with a file or more per material, and the files
/// that answer a supplement request. Files are checked by content, stored in the database, and
/// only ever served as downloads.
enum OnlineApplication {
    /// A multipart form: `files[m<n>][]` for material n (several allowed), and for a submission
    /// `center`, `item` and `summary`.
    struct Form: Content {
        var center: String?
        var item: String?
        var summary: String?
        var reason: String?
        var files: [String: [File]]?
    }

    struct Checked: Sendable {
        var position: Int
        var meta: CaseUpload.Checked
        var bytes: [UInt8]
    }

    /// Every file checked, by material position (1-based); all problems at once.
    static func check(_ files: [String: [File]]?, materials: Int) throws -> [Int: [Checked]] {
        var out: [Int: [Checked]] = [:]
        var errors: [FieldError] = []
        var total = 0
        var counts: [(String, Int)] = []
        for (key, list) in files ?? [:] {
            guard key.hasPrefix("m"), let n = Int(key.dropFirst()), (1...materials).contains(n) else {
                errors.append(FieldError("materials", "case.noSuchMaterial"))
                continue
            }
            let nonEmpty = list.filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }
            counts.append(("materials.\(n)", nonEmpty.count))
            for f in nonEmpty {
                let bytes = Array(f.data.readableBytesView)
                total += bytes.count
                switch CaseUpload.check(bytes, filename: f.filename, field: "materials.\(n)") {
                case .success(let meta): out[n, default: []].append(Checked(position: n, meta: meta, bytes: bytes))
                case .failure(let e): errors.append(e)
                }
            }
        }
        errors += CaseUpload.checkTotals(counts.map { (field: $0.0, files: $0.1) }, totalBytes: total)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return out
    }

    static func store(_ files: [Int: [Checked]], case id: UUID, by actor: String, at millis: Int64, on db: any Database) async throws {
        for (_, list) in files {
            for f in list {
                let row = CaseFileModel()
                row.caseID = id
                row.position = f.position
                row.filename = f.meta.filename
                row.contentType = f.meta.contentType
                row.size = f.meta.size
                row.sha256 = Digest.sha256Hex(f.bytes)
                row.data = Data(f.bytes)
                row.uploadedAt = millis
                row.uploadedBy = actor
                try await row.create(on: db)
            }
        }
    }

    /// An applicant's own application for an item that may be applied for online.
    static func submit(_ form: Form, req: Request) async throws -> CaseModel {
        let p = try req.requirePrincipal()
        guard let applicant = try await ApplicantService.own(req) else { throw Abort(.forbidden) }
        let text = form.center?.trimmingCharacters(in: .whitespaces) ?? ""
        let center = text.isEmpty ? nil : try await req.catalog().directory.center(text.uppercased())
        guard let center else { throw ValidationFailure([FieldError("center", text.isEmpty ? "required" : "invalidReference")]) }
        let (item, guide, version) = try await CaseService.itemInForce(form.item, center: center.id, req: req)
        guard guide.onlineApplication else { throw ValidationFailure([FieldError("item", "case.notOnline")]) }
        let files = try check(form.files, materials: guide.materials.count)
        // What OneStop issued the applicant (电子证照) is not uploaded again.
        let exempt = ElectronicLicence.exempt(
            materials: guide.materials.map(\.name), held: try await Licences.held(by: applicant.id!, on: req.db))
        let missing = guide.materials.enumerated().filter {
            $0.element.need == .required && files[$0.offset + 1] == nil && exempt[$0.offset + 1] == nil
        }
        if !missing.isEmpty { throw ValidationFailure(missing.map { FieldError("materials.\($0.offset + 1)", "case.uploadRequired") }) }
        let summary = (form.summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard summary.count <= 4000 else { throw ValidationFailure([FieldError("summary", "tooLong")]) }
        let marks = guide.materials.indices.map { i -> (status: MaterialStatus, note: String) in
            if let h = exempt[i + 1], files[i + 1] == nil { return (.provided, Licences.exemptNote(h)) }
            return (files[i + 1] == nil ? .notApplicable : .provided, "")
        }
        let opening = CaseService.Opening(
            center: center, item: item, guide: guide, version: version, channel: "online", ticket: nil, handler: nil, actor: p.auditName,
            actorName: applicant.name,
            form: String(decoding: try JSONEncoder.sorted.encode(summary.isEmpty ? [:] : ["申请内容": summary]), as: UTF8.self), marks: marks,
            at: req.now)
        let calendar = try await req.application.calendars.calendar(for: center.id, on: req.db)
        let firstCheck = Supervision.firstCheck(received: opening.today, calendar: calendar)
        let prepared = try await CaseService.prepare(
            opening, applicant: .known(applicant), firstCheck: firstCheck, issuer: "系统自动出具",
            extraDetail: ["files": String(files.values.map(\.count).reduce(0, +))], req: req)
        return try await req.audited { db in
            let (opened, events) = try await prepared.write(on: db)
            try await store(files, case: opened.model.id!, by: opening.actor, at: opening.millis, on: db)
            return (opened.model, events)
        }
    }

    /// A file of a case, for whoever may see the case.
    static func file(_ caseID: UUID, _ fileID: UUID, req: Request) async throws -> Response {
        let (c, _) = try await CaseAccess.visible(caseID, req: req)
        guard let f = try await CaseFileModel.find(fileID, on: req.db), f.caseID == c.id else { throw Abort(.notFound) }
        let res = Response(status: .ok, body: .init(data: f.data))
        res.headers.replaceOrAdd(name: .contentType, value: f.contentType)
        let ascii = f.filename.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" && $0 != "\\" } ? f.filename : "file"
        let encoded = f.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        res.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        res.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return res
    }
}
