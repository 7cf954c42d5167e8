import Foundation

/// Open311 GeoReport v2 service requests (issue 20): what a client sends to `POST requests.json`,
/// checked as the spec asks (a service code; a location as `lat` and `long` together, or an
/// address), and how an order's state reads as the spec's `status`. The server maps a checked
/// request onto a work order of channel `open311`.
public enum Open311 {
    /// The spec's two statuses.
    public static func status(_ state: WorkOrderState) -> String { state == .closed ? "closed" : "open" }

    /// The kinds a request may ask for through `attribute[kind]`. A 举报 is not taken here: the
    /// spec's `GET requests.json` is public, and a report's caller must stay hidden.
    public static let kinds: [WorkOrderKind] = [.complaint, .consultation, .suggestion, .help, .praise]

    /// What a client sends, as the spec names it.
    public struct Request: Sendable, Equatable {
        public var serviceCode: String?
        public var lat: String?
        public var long: String?
        public var addressString: String?
        public var addressID: String?
        public var email: String?
        public var deviceID: String?
        public var accountID: String?
        public var firstName: String?
        public var lastName: String?
        public var phone: String?
        public var description: String?
        public var mediaURL: String?
        /// `attribute[kind]`: one of `kinds` (default: the service's own).
        public var kind: String?

        public init(
            serviceCode: String?, lat: String? = nil, long: String? = nil, addressString: String? = nil, addressID: String? = nil,
            email: String? = nil, deviceID: String? = nil, accountID: String? = nil, firstName: String? = nil, lastName: String? = nil,
            phone: String? = nil, description: String?, mediaURL: String? = nil, kind: String? = nil
        ) {
            (self.serviceCode, self.lat, self.long, self.addressString, self.addressID) = (serviceCode, lat, long, addressString, addressID)
            (self.email, self.deviceID, self.accountID, self.firstName, self.lastName) = (email, deviceID, accountID, firstName, lastName)
            (self.phone, self.description, self.mediaURL, self.kind) = (phone, description, mediaURL, kind)
        }
    }

    public struct Checked: Sendable, Equatable {
        public var serviceCode: String
        public var lat: Double?
        public var long: Double?
        /// The address as given, or the address id with its label.
        public var address: String
        public var email: String
        public var name: String
        public var phone: String?
        public var description: String
        public var mediaURL: String
        public var kind: WorkOrderKind?
    }

    /// One problem, as the spec's error answer lists them: the parameter and why.
    public struct Problems: Sendable, Equatable, Error {
        public var list: [Problem]
    }

    public struct Problem: Sendable, Equatable {
        public var field: String
        public var code: String

        public init(_ field: String, _ code: String) { (self.field, self.code) = (field, code) }
    }

    /// Every problem of a request, or the request checked.
    public static func check(_ r: Request) -> Result<Checked, Problems> {
        var problems: [Problem] = []
        func text(_ s: String?) -> String { (s ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let code = text(r.serviceCode)
        if code.isEmpty { problems.append(.init("service_code", "required")) }
        var lat: Double?
        var long: Double?
        let rawLat = text(r.lat)
        let rawLong = text(r.long)
        if !rawLat.isEmpty || !rawLong.isEmpty {
            lat = Double(rawLat)
            long = Double(rawLong)
            if lat == nil || !(-90...90).contains(lat!) { problems.append(.init("lat", "open311.lat")) }
            if long == nil || !(-180...180).contains(long!) { problems.append(.init("long", "open311.long")) }
        }
        var address = text(r.addressString)
        let addressID = text(r.addressID)
        if address.isEmpty, !addressID.isEmpty { address = "address_id \(addressID)" }
        if lat == nil, long == nil, rawLat.isEmpty, rawLong.isEmpty, address.isEmpty {
            problems.append(.init("lat", "open311.location"))
        }
        if address.count > 200 { problems.append(.init("address_string", "tooLong")) }
        let description = text(r.description)
        if description.isEmpty { problems.append(.init("description", "required")) }
        if description.count > 4000 { problems.append(.init("description", "tooLong")) }
        let email = text(r.email)
        if !email.isEmpty, email.count > 120 || !isEmail(email) { problems.append(.init("email", "open311.email")) }
        let media = text(r.mediaURL)
        if !media.isEmpty, media.count > 500 || !(media.hasPrefix("https://") || media.hasPrefix("http://")) || media.contains(" ") {
            problems.append(.init("media_url", "open311.mediaURL"))
        }
        var kind: WorkOrderKind?
        let rawKind = text(r.kind)
        if !rawKind.isEmpty {
            kind = WorkOrderKind(rawValue: rawKind)
            if kind == nil || !kinds.contains(kind!) { problems.append(.init("attribute[kind]", "invalidChoice")) }
        }
        let name = [text(r.lastName), text(r.firstName)].filter { !$0.isEmpty }.joined(separator: " ")
        if name.count > 50 { problems.append(.init("first_name", "tooLong")) }
        let phone = text(r.phone)
        guard problems.isEmpty else { return .failure(Problems(list: problems)) }
        return .success(
            Checked(
                serviceCode: code, lat: lat, long: long, address: address, email: email, name: name, phone: phone.isEmpty ? nil : phone,
                description: description, mediaURL: media, kind: kind))
    }

    /// Something@somewhere.tld, no spaces: enough to call back by mail, not an RFC 5322 parser.
    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !s.contains(where: \.isWhitespace) else { return false }
        return !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// The filters of `GET requests.json`: ids (which override the rest), service codes, statuses,
    /// and the window of time, by default the last 90 days; at most 1,000 answers.
    public struct Query: Sendable, Equatable {
        public var ids: [String] = []
        public var serviceCodes: [String] = []
        public var statuses: [String] = []
        public var start: Date
        public var end: Date
        public static let defaultDays = 90
        public static let maxResults = 1000
    }

    /// Reads the query's filters; dates are W3C date-times (`2026-12-01T00:00:00+08:00`, or `Z`).
    public static func query(
        ids: String?, serviceCodes: String?, status: String?, startDate: String?, endDate: String?, now: Date
    ) -> Result<Query, Problems> {
        func list(_ s: String?) -> [String] {
            (s ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var problems: [Problem] = []
        let statuses = list(status).map { $0.lowercased() }
        if statuses.contains(where: { $0 != "open" && $0 != "closed" }) { problems.append(.init("status", "open311.status")) }
        var end = now
        var start = now.addingTimeInterval(-Double(Query.defaultDays) * 86_400)
        if let raw = endDate, !raw.isEmpty {
            if let d = date(raw) { end = d } else { problems.append(.init("end_date", "open311.date")) }
        }
        if let raw = startDate, !raw.isEmpty {
            if let d = date(raw) { start = d } else { problems.append(.init("start_date", "open311.date")) }
        } else if let raw = endDate, !raw.isEmpty, let d = date(raw) {
            start = d.addingTimeInterval(-Double(Query.defaultDays) * 86_400)
        }
        if start > end { problems.append(.init("start_date", "open311.dateOrder")) }
        guard problems.isEmpty else { return .failure(Problems(list: problems)) }
        return .success(Query(ids: list(ids), serviceCodes: list(serviceCodes), statuses: statuses, start: start, end: end))
    }

    /// A W3C date-time with its offset, with or without fractional seconds.
    public static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }

    /// A time as the spec writes it, with the center's offset (`2026-12-05T09:30:00+08:00`).
    public static func stamp(_ d: Date, zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
