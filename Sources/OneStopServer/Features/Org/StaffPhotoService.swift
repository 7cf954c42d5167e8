import Fluent
import Foundation
import OneStopCore
import Vapor

enum StaffPhotoService {
    /// Stores (or replaces) a staff member's photo after checking what the bytes really are.
    static func store(staff id: UUID, bytes: [UInt8], req: Request) async throws {
        guard let staff = try await StaffModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(staff.centerID)
        let kind: StaffPhoto.Kind
        switch StaffPhoto.check(bytes) {
        case .success(let k): kind = k
        case .failure(let e): throw ValidationFailure([e])
        }
        let millis = Int64(req.now.timeIntervalSince1970 * 1000)
        let centerID = staff.centerID
        try await req.audited { db in
            let row = try await StaffPhotoModel.find(id, on: db) ?? StaffPhotoModel()
            row.id = id
            row.contentType = kind.rawValue
            row.data = Data(bytes)
            row.updatedMillis = millis
            try await row.save(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "staff.photo", "staff", id: id, center: centerID, detail: ["bytes": String(bytes.count), "type": kind.rawValue])
                ]
            )
        }
    }

    /// The photo as a response, cacheable and revalidated by its update time.
    static func response(staff id: UUID, req: Request) async throws -> Response {
        guard let photo = try await StaffPhotoModel.find(id, on: req.db) else { throw Abort(.notFound) }
        let etag = "\"\(photo.updatedMillis)\""
        if req.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: photo.contentType)
        headers.replaceOrAdd(name: .eTag, value: etag)
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: photo.data))
    }

    static func exists(_ id: UUID, on db: any Database) async throws -> Bool {
        try await StaffPhotoModel.query(on: db).filter(\.$id == id).count() > 0
    }
}
