{-# LANGUAGE OverloadedStrings #-}
-- | A small library catalogue.
module Library
  ( Book (..)
  , Shelf
  , addBook
  , findByAuthor
  ) where

import qualified Data.Map.Strict as Map
import Data.List (sortOn)
import Data.Text (Text)

-- | The most books a shelf holds.
maxBooks :: Int
maxBooks = 200

data Genre = Fiction | Science | History
  deriving (Show, Eq)

data Book = Book
  { title  :: Text
  , author :: Text
  , genre  :: Genre
  } deriving (Show)

newtype Shelf = Shelf (Map.Map Text Book)

type Catalogue = [Shelf]

class Describable a where
  describe :: a -> Text
  label :: a -> Text
  label = describe

instance Describable Book where
  describe book = title book <> " by " <> author book

addBook :: Book -> Shelf -> Either Text Shelf
addBook book (Shelf books)
  | Map.size books >= maxBooks = Left "shelf is full"
  | otherwise = Right (Shelf (Map.insert (title book) book books))

findByAuthor :: Text -> Shelf -> [Book]
findByAuthor name (Shelf books) =
  sortOn title (filter (\b -> author b == name) (Map.elems books))

isEmpty :: Shelf -> Bool
isEmpty (Shelf books) = Map.null books
