(ns shop.inventory
  "Stock levels and reorder rules."
  (:require [clojure.string :as str]
            [clojure.set :refer [union]])
  (:import (java.time Instant)))

;; The most of one item we keep.
(def max-stock 250)

(def ^:private warehouses #{"north" "south"})

(defprotocol Restockable
  (restock [this amount] "Adds stock.")
  (level [this]))

(defrecord Item [sku name quantity]
  Restockable
  (restock [this amount]
    (update this :quantity + amount))
  (level [this] quantity))

(defn low-stock?
  "True when an item is below the threshold."
  [item threshold]
  (< (:quantity item) threshold))

(defn- normalise-sku [sku]
  (str/upper-case (str/trim sku)))

(defmulti describe :kind)

(defmethod describe :book [item]
  (str "Book " (:name item)))

(defmacro with-stock [item & body]
  `(when (pos? (:quantity ~item)) ~@body))

(defn reorder
  ([items] (reorder items 10))
  ([items threshold]
   (->> items
        (filter #(low-stock? % threshold))
        (map (fn [item] (assoc item :ordered-at (Instant/now)))))))

(def item-names (map :name []))
