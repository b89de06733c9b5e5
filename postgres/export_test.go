package postgres

// MaxLeaders and QueuedUpdates let the external tests see the group
// commit's state.
const MaxLeaders = maxLeaders

func QueuedUpdates(s *Store) int {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	return len(s.group.queue)
}
