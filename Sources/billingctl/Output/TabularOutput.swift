import Foundation

/// Rows with named columns, printed as an aligned table, CSV (RFC 4180) or a JSON array of objects.
struct TabularOutput {
    let columns: [String]
    let rows: [[String?]]

    func render(_ format: OutputFormat) -> String {
        switch format {
        case .table: return table()
        case .csv: return csv()
        case .json: return json()
        }
    }

    private func table() -> String {
        guard !rows.isEmpty else { return "(none)" }
        let cells = rows.map { $0.map { $0 ?? "-" } }
        let widths = columns.indices.map { index in
            max(columns[index].count, cells.map { $0[index].count }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(columns.map { $0.uppercased() })] + cells.map(line)).joined(separator: "\n")
    }

    private func csv() -> String {
        func field(_ value: String?) -> String {
            guard let value else { return "" }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([columns.map(field).joined(separator: ",")] + rows.map { $0.map(field).joined(separator: ",") })
            .joined(separator: "\r\n")
    }

    private func json() -> String {
        let objects: [[String: String?]] = rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(columns, row).map { ($0, $1) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(objects)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
