// Package porttest holds the contract test suites for the inquiry ports. Every adapter of
// inquiry.RecordStore, inquiry.ArchiveStore and inquiry.Publisher runs the same suite from its
// own tests, so the local adapters and the AWS adapters are held to one behaviour:
//
//	func TestStoreContract(t *testing.T) {
//		porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore {
//			s, err := local.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Each suite calls its constructor once per subtest. The constructor may return a fresh store
// or one shared across subtests: the suites use random ids, keys and key prefixes, so subtests
// never see each other's data. Subtests are named for the property they check.
//
// Faults wraps the ports a service is given to inject what the service must survive: a
// failed publish, or a crash between the two writes of a submission. Stuck counts what such
// a fault must never leave behind: a record received with no event pending for it.
package porttest
