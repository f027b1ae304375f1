package demo

import "testing"

// BenchmarkGenerate700k makes a state-scale demo state (no database).
func BenchmarkGenerate700k(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Config{Students: MaxStudents, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
