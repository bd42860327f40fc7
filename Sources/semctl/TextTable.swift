// Left-aligned plain-text tables for semctl's human output.
final class TextTable {
    private let columns: [String]
    private var rows: [[String]] = []
    private let rightAligned: Set<Int>

    init(columns: [String], rightAligned: Set<Int> = []) {
        self.columns = columns
        self.rightAligned = rightAligned
    }

    func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                if index == cells.count - 1 && !rightAligned.contains(index) {
                    parts.append(cell)
                } else {
                    parts.append(rightAligned.contains(index) ? pad + cell : cell + pad)
                }
            }
            return parts.joined(separator: "  ")
        }
        return ([line(columns)] + rows.map(line)).joined(separator: "\n")
    }
}
