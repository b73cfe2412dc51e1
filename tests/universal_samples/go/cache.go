// Package cache keeps recently used values in memory.
package cache

import (
	"errors"
	"sync"
	"time"
)

// DefaultTTL is how long an entry lives unless told otherwise.
const DefaultTTL = 5 * time.Minute

var ErrMissing = errors.New("cache: no such key")

// Store is what a cache keeps its entries in.
type Store interface {
	Get(key string) (entry, bool)
	Put(key string, value entry)
}

type entry struct {
	value   any
	expires time.Time
}

// Cache is a map of entries guarded by a mutex.
type Cache struct {
	mu      sync.Mutex
	entries map[string]entry
	ttl     time.Duration
}

// New makes an empty cache whose entries live for ttl.
func New(ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Cache{entries: make(map[string]entry), ttl: ttl}
}

// Get returns the value of a key that has not expired.
func (c *Cache) Get(key string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	found, ok := c.entries[key]
	if !ok || time.Now().After(found.expires) {
		delete(c.entries, key)
		return nil, ErrMissing
	}
	return found.value, nil
}

// Set stores a value for the cache's time to live.
func (c *Cache) Set(key string, value any) {
	c.mu.Lock()
	c.entries[key] = entry{value: value, expires: time.Now().Add(c.ttl)}
	c.mu.Unlock()
}

func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
